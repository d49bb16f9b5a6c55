/**
 * Creating an account with an email and a password.
 *
 * @module
 */
import { type Db } from "../db/db.ts";
import { audit } from "../db/audit.ts";
import { createUser, DuplicateUserError, type User } from "../db/users.ts";
import { hashPassword, QueueFullError, validatePassword } from "./password.ts";
import {
  PASSWORD_CONTAINS_EMAIL_ERROR,
  passwordContainsEmail,
} from "./password_email.ts";
import { busy } from "./sign_in.ts";
import { type Failure, failure } from "./outcome.ts";
import { validateEmail } from "./email_address.ts";
import { EMAIL_TAKEN } from "./messages.ts";
import { freeUsername } from "./username.ts";

/** Outcome of {@linkcode signUp}. */
export type SignUpResult =
  | { ok: true; user: User }
  | Failure<"invalid" | "taken" | "busy">;

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
 * import type { Db } from "../db/db.ts";
 * declare const db: Db;
 * const meta: RequestMeta = { ip: "203.0.113.9", userAgent: "Mozilla/5.0" };
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
    passwordContainsEmail(input.password, email.value)
  ) {
    details.password = PASSWORD_CONTAINS_EMAIL_ERROR;
  }
  if (Object.keys(details).length > 0 || !email.ok) {
    return failure("invalid", "Please correct the highlighted fields", {
      details,
    });
  }

  let passwordHash: string;
  try {
    passwordHash = await hashPassword(input.password);
  } catch (err) {
    if (err instanceof QueueFullError) return busy(err);
    throw err;
  }
  // A free username can be taken between the check and the insert (two
  // sign-ups with the same name part, on two instances): pick again.
  for (let attempt = 1;; attempt++) {
    try {
      const user = await db.transaction(async (tx) => {
        const created = await createUser(tx, {
          email: email.value,
          username: await freeUsername(tx, email.value),
          passwordHash,
        });
        await audit(tx, {
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
        return failure("taken", "An account with this email already exists", {
          details: { email: EMAIL_TAKEN },
        });
      }
      if (
        err instanceof DuplicateUserError && err.field === "username" &&
        attempt < 3
      ) continue;
      throw err;
    }
  }
}
