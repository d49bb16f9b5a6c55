/**
 * Signing in with an email and a password. An unknown email and a wrong
 * password get the same answer after the same work (one argon2 verify).
 *
 * @module
 */
import type { Db } from "../db/db.ts";
import { audit } from "../db/audit.ts";
import {
  getPasswordHash,
  getUserByEmail,
  updatePasswordHash,
  type User,
} from "../db/users.ts";
import { validateEmail } from "./email_address.ts";
import { PASSWORD_REQUIRED } from "./messages.ts";
import {
  dummyVerify,
  hashingBusy,
  hashPassword,
  needsRehash,
  QueueFullError,
  verifyPassword,
} from "./password.ts";
import type { RequestMeta } from "./sign_up.ts";
import { type Failure, failure } from "./outcome.ts";

/**
 * Per-account failure counting (5 failures / 15 minutes by default). Each
 * attempt counts as a failure up front, atomically, and a success clears
 * the count: recording failures after the password check would let
 * parallel guesses all pass the check before the first one is recorded.
 */
export interface SignInLimiter {
  /**
   * Counts this attempt; returns the seconds until the account may try
   * again, 0 when this attempt may go ahead.
   */
  blockedFor(email: string): Promise<number>;
  /** Forgets the account's failures after a successful sign-in. */
  succeeded(email: string): Promise<void>;
}

/** Outcome of {@linkcode signIn}. */
export type SignInResult =
  | { ok: true; user: User }
  | Failure<"invalid" | "wrong_credentials" | "rate_limited" | "busy">;

/** The one message for an unknown email and a wrong password alike. */
export const INVALID_CREDENTIALS = "Invalid email or password";

/**
 * Checks the credentials; on success the caller starts a new session,
 * one that waits for the second factor when `user.twoFactorEnabled`.
 *
 * @example
 * ```ts
 * import { createSession, type SessionDeps } from "./session.ts";
 * import type { RequestMeta } from "./sign_up.ts";
import { type Failure, failure } from "./outcome.ts";
 * declare const deps: SessionDeps;
 * declare const limiter: SignInLimiter;
 * const meta: RequestMeta = { ip: "203.0.113.9", userAgent: "Mozilla/5.0" };
 * const input = { email: "ada@example.com", password: "correct horse battery" };
 * const result = await signIn(deps.db, limiter, input, meta);
 * if (result.ok) await createSession(deps, result.user.id, meta);
 * ```
 */
export async function signIn(
  db: Db,
  limiter: SignInLimiter,
  input: Record<string, string>,
  meta: RequestMeta,
): Promise<SignInResult> {
  const email = validateEmail(input.email);
  const password = input.password ?? "";
  if (!email.ok || password === "") {
    const details: Record<string, string> = {};
    if (!email.ok) details.email = email.error;
    if (password === "") details.password = PASSWORD_REQUIRED;
    return failure("invalid", "Please correct the highlighted fields", {
      details,
    });
  }

  // Refuse before the account limiter counts this as an attempt, so a user
  // turned away during a storm is not locked out of their account for it.
  const full = hashingBusy();
  if (full) return busy(full);

  const wait = await limiter.blockedFor(email.value);
  if (wait > 0) {
    return failure(
      "rate_limited",
      `Too many failed sign-ins for this account; try again in ${wait} seconds`,
      { retryAfterSeconds: wait, by: "account" },
    );
  }

  const user = await getUserByEmail(db, email.value);
  const hash = user === null ? null : await getPasswordHash(db, user.id);
  let valid = false;
  try {
    if (hash === null) {
      await dummyVerify();
    } else {
      valid = await verifyPassword(hash, password);
    }
  } catch (err) {
    // Known and unknown emails share the queue, so "busy" says nothing
    // about the account. Not a failed attempt: nothing was checked.
    if (err instanceof QueueFullError) return busy(err);
    throw err;
  }

  if (!valid || user === null || hash === null) {
    await audit(db, {
      userId: user?.id ?? null,
      event: "auth.sign_in_failed",
      ip: meta.ip,
      userAgent: meta.userAgent,
      details: {
        reason: user === null
          ? "unknown_account"
          : hash === null
          ? "no_password"
          : "wrong_password",
      },
    });
    return failure("wrong_credentials", INVALID_CREDENTIALS);
  }

  await limiter.succeeded(email.value);
  if (needsRehash(hash)) {
    // Parameters changed since this hash was made: upgrade it now that we
    // hold the plain password. When hashing is busy, the next sign-in will.
    const upgraded = await hashPassword(password).catch((err) => {
      if (err instanceof QueueFullError) return null;
      throw err;
    });
    if (upgraded !== null) await updatePasswordHash(db, user.id, upgraded);
  }
  // With two-factor on, the password alone signs nobody in: the row says
  // a code is still owed (the activity page words it so, and the new-device
  // rule does not count such a device as the owner's).
  await audit(db, {
    userId: user.id,
    event: "auth.sign_in",
    ip: meta.ip,
    userAgent: meta.userAgent,
    details: user.twoFactorEnabled ? { secondFactor: "pending" } : null,
  });
  return { ok: true, user };
}

/**
 * The refusal when password checks are queued past their bound.
 *
 * @example
 * ```ts
 * import { QueueFullError } from "./password.ts";
 * const result = busy(new QueueFullError(2)); // { ok: false, reason: "busy", ... }
 * ```
 */
export function busy(err: QueueFullError): Failure<"busy"> {
  return failure(
    "busy",
    `The server is busy checking other passwords; try again in ${err.retryAfterSeconds} seconds`,
    { retryAfterSeconds: err.retryAfterSeconds },
  );
}
