/**
 * Creating an account with an email and a password, in a way that tells
 * the person signing up nothing about whether the address already has an
 * account: both cases get the same answer ("check your inbox"), after the
 * same work (one argon2 hash through the shared hash queue, one
 * transaction, one queued email), and neither signs anyone in.
 *
 * - A new address gets an account (unverified, with its password) and a
 *   verification email.
 * - An address that has an account changes nothing; its owner gets an
 *   email saying someone tried to sign up with it, with links to sign in
 *   and to reset the password.
 *
 * Why sign-up never signs in: a session for new addresses only would be
 * the difference an attacker looks for (a cookie, a redirect to the
 * dashboard). The person signs in with their password afterwards; an
 * unverified account can, and is asked to confirm its address.
 *
 * @module
 */
import type { Db, Queryable } from "../db/db.ts";
import { audit } from "../db/audit.ts";
import {
  createUser,
  DuplicateUserError,
  getUserByEmail,
  type User,
} from "../db/users.ts";
import { appLink, renderEmail } from "../email/template.ts";
import { hashPassword, QueueFullError, validatePassword } from "./password.ts";
import {
  PASSWORD_CONTAINS_EMAIL_ERROR,
  passwordContainsEmail,
} from "./password_email.ts";
import { busy } from "./sign_in.ts";
import { type Failure, failure } from "./outcome.ts";
import { validateEmail } from "./email_address.ts";
import { freeUsername } from "./username.ts";
import { type MailDeps, sendVerification } from "./verify_email.ts";

/**
 * Outcome of {@linkcode signUp}: the same for a new address and one that
 * has an account, by design; only the mail that goes out differs.
 */
export type SignUpResult =
  | { ok: true; email: string; message: string }
  | Failure<"invalid" | "busy">;

/** What {@linkcode signUp} needs: the database and the outbox. */
export interface SignUpDeps extends MailDeps {
  db: Db;
}

/** The page that starts a password reset (the emails link to it). */
export const FORGOT_PASSWORD_PATH = "/forgot-password";

/**
 * The one answer to a sign-up, new address or not.
 *
 * @example
 * ```ts
 * checkInboxMessage("ada@example.com"); // "Check your inbox at ada@example.com to confirm it."
 * ```
 */
export function checkInboxMessage(email: string): string {
  return `Check your inbox at ${email} to confirm it.`;
}

/** Who is asking, for the audit log. */
export interface RequestMeta {
  ip: string;
  userAgent: string | null;
}

/**
 * Validates the input, hashes the password, and then either creates the
 * account and queues its verification email, or (the address has an
 * account) queues an email to the owner and records the attempt. Invalid
 * input writes nothing; the answer never says which case it was.
 *
 * @example
 * ```ts
 * declare const deps: SignUpDeps;
 * const meta: RequestMeta = { ip: "203.0.113.9", userAgent: "Mozilla/5.0" };
 * const result = await signUp(deps, { email: "ada@example.com", password: "correct horse" }, meta);
 * if (result.ok) console.log(result.message); // "Check your inbox at ada@example.com to confirm it."
 * ```
 */
export async function signUp(
  deps: SignUpDeps,
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

  // Hashed before looking the address up, for both cases: the hash is
  // nearly all of the time a sign-up takes, and it goes through the same
  // bounded queue, so a full queue ("busy") says nothing either.
  let passwordHash: string;
  try {
    passwordHash = await hashPassword(input.password);
  } catch (err) {
    if (err instanceof QueueFullError) return busy(err);
    throw err;
  }
  const done = {
    ok: true as const,
    email: email.value,
    message: checkInboxMessage(email.value),
  };
  // A free username can be taken between the check and the insert (two
  // sign-ups with the same name part, on two instances): pick again. The
  // address can be taken the same way: then it is an existing account.
  for (let attempt = 1;; attempt++) {
    try {
      await deps.db.transaction(async (tx) => {
        const existing = await getUserByEmail(tx, email.value);
        if (existing !== null) {
          await tellOwner(tx, deps, existing, meta);
          return;
        }
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
        await sendVerification(tx, deps, created, "sign_up", meta);
      });
      return done;
    } catch (err) {
      if (err instanceof DuplicateUserError && attempt < 3) continue;
      throw err;
    }
  }
}

// The owner of an address someone tried to sign up with: told, with the
// two things they may want (sign in, reset the password). Nothing else
// changes; the attempt is audited on their account.
async function tellOwner(
  tx: Queryable,
  deps: MailDeps,
  owner: User,
  meta: RequestMeta,
): Promise<void> {
  const signIn = appLink(deps.config, "/login");
  const reset = appLink(deps.config, FORGOT_PASSWORD_PATH);
  await deps.mailer.send(
    tx,
    renderEmail({
      to: owner.email,
      kind: "sign_up_existing",
      subject: "Someone tried to sign up with your email address",
      heading: "Someone tried to sign up with your address",
      paragraphs: [
        `Someone tried to create a new Islet account with ${owner.email}. You already have an account with this address, so no new account was made and nothing about yours changed.`,
        "If it was you, sign in instead:",
      ],
      action: { label: "Sign in to Islet", url: signIn },
      after: [
        `Forgot your password? Choose a new one here: ${reset}`,
        "If it was not you, you need not do anything: nobody can sign in without your password.",
      ],
    }),
  );
  await audit(tx, {
    userId: owner.id,
    event: "auth.sign_up_existing",
    ip: meta.ip,
    userAgent: meta.userAgent,
  });
}
