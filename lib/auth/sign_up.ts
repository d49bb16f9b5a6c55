/**
 * Creating an account with an email and a password.
 *
 * @module
 */
import { type Db } from "../db/connection.ts";
import { audit } from "../db/audit.ts";
import {
  createUser,
  DuplicateUserError,
  getUserByUsername,
  normalizeEmail,
  type User,
} from "../db/users.ts";
import { hashPassword, QueueFullError, validatePassword } from "./password.ts";
import { busy } from "./sign_in.ts";
import { validateEmail } from "./email_address.ts";

/** Outcome of {@linkcode signUp}. */
export type SignUpResult =
  | { ok: true; user: User }
  | {
    ok: false;
    status: 400 | 409;
    error: string;
    details?: Record<string, string>;
  }
  | ReturnType<typeof busy>;

/** Who is asking, for the audit log. */
export interface RequestMeta {
  ip: string;
  userAgent: string | null;
}

/**
 * Validates the input and creates the user (password hashed with argon2id).
 * Nothing is written unless every field is valid.
 *
 * @example
 * ```ts
 * const result = await signUp(db, { email: "ada@example.com", password: "correct horse" }, meta);
 * ```
 */
export async function signUp(
  db: Db,
  input: Record<string, string>,
  meta: RequestMeta,
): Promise<SignUpResult> {
  const details: Record<string, string> = {};
  const email = validateEmail(input.email);
  if (!email.ok) details.email = email.error;
  const password = validatePassword(input.password ?? "");
  if (!password.ok) details.password = password.error;
  if (
    email.ok && password.ok &&
    input.password.toLowerCase().includes(email.value.split("@")[0]) &&
    email.value.split("@")[0].length >= 4
  ) {
    details.password =
      "Choose a password that does not contain your email address";
  }
  if (Object.keys(details).length > 0 || !email.ok) {
    return {
      ok: false,
      status: 400,
      error: "Please correct the highlighted fields",
      details,
    };
  }

  let passwordHash: string;
  try {
    passwordHash = await hashPassword(input.password);
  } catch (err) {
    if (err instanceof QueueFullError) return busy(err);
    throw err;
  }
  try {
    const user = db.transaction(() => {
      const created = createUser(db, {
        email: email.value,
        username: freeUsername(db, email.value),
        passwordHash,
      });
      audit(db, {
        userId: created.id,
        event: "auth.sign_up",
        ip: meta.ip,
        userAgent: meta.userAgent,
      });
      return created;
    });
    return { ok: true, user };
  } catch (err) {
    if (err instanceof DuplicateUserError && err.field === "email") {
      return {
        ok: false,
        status: 409,
        error: "An account with this email already exists",
        details: {
          email: "An account with this email already exists. Sign in instead?",
        },
      };
    }
    throw err;
  }
}

/**
 * A username from the email's local part, made unique with a random suffix.
 *
 * @example
 * ```ts
 * freeUsername(db, "Ada.Lovelace@example.com"); // "ada-lovelace" or "ada-lovelace-7f3a"
 * ```
 */
export function freeUsername(db: Db, email: string): string {
  const base =
    normalizeEmail(email).split("@")[0].replace(/[^a-z0-9]+/g, "-").replace(
      /^-+|-+$/g,
      "",
    )
      .slice(0, 24) || "user";
  if (getUserByUsername(db, base) === null) return base;
  for (let i = 0; i < 10; i++) {
    const suffix = Array.from(
      crypto.getRandomValues(new Uint8Array(3)),
      (b) => b.toString(16).padStart(2, "0"),
    )
      .join("");
    const candidate = `${base}-${suffix}`;
    if (getUserByUsername(db, candidate) === null) return candidate;
  }
  return `${base}-${crypto.randomUUID().slice(0, 8)}`;
}
