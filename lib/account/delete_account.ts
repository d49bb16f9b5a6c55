/**
 * Deleting an account, for good. The person re-enters their password (or,
 * for an account without one, types its email address); then, in ONE
 * transaction: the hooks of later features run (`delete_hooks.ts`:
 * billing cancels the subscription there), every session is deleted, the
 * account's audit rows are anonymised, the deletion is recorded, the
 * goodbye email is queued, and the user row is deleted, which takes every
 * row it owns with it (sessions, tokens, linked sign-in methods, recovery
 * codes, subscriptions, preferences: ON DELETE CASCADE). Any failure rolls
 * all of it back. After the commit, the ended sessions are dropped from
 * every cache, so they are refused everywhere at once.
 *
 * Audit rows are kept, unlinked (the schema sets `user_id` to NULL), as
 * the trail of what happened outlives the account; their address and user
 * agent are cleared first, so what is kept no longer points to the person
 * who asked to be forgotten.
 *
 * @module
 */
import type { Queryable } from "../db/db.ts";
import { audit } from "../db/audit.ts";
import { deleteUserSessions } from "../db/sessions.ts";
import { deleteUser, getPasswordHash, type User } from "../db/users.ts";
import { normalizeEmail } from "../auth/email_rule.ts";
import { type Failure, failure } from "../auth/outcome.ts";
import {
  dummyVerify,
  hashingBusy,
  QueueFullError,
  verifyPassword,
} from "../auth/password.ts";
import { forgetSessions, type SessionDeps } from "../auth/session.ts";
import { busy, type SignInLimiter } from "../auth/sign_in.ts";
import type { RequestMeta } from "../auth/sign_up.ts";
import { type NoticeDeps, securityNotice } from "../email/notices.ts";
import type { Billing } from "../billing/client.ts";
import { BEFORE_DELETE_HOOKS, type BeforeDeleteHook } from "./delete_hooks.ts";
import { DeleteRefusedError } from "./delete_refused.ts";

/** What deletion needs. */
export interface DeleteDeps extends NoticeDeps {
  sessions: SessionDeps;
  /** Counts wrong passwords per account, as sign-in does (the same counter). */
  limiter: SignInLimiter;
  /** The hooks to run; {@linkcode BEFORE_DELETE_HOOKS} unless a test says otherwise. */
  hooks?: readonly BeforeDeleteHook[];
  /** Stripe, for the billing hook (null or absent: not configured). */
  billing?: Billing | null;
}

/** Outcome of {@linkcode deleteAccount}. */
export type DeleteResult =
  | { ok: true; sessionsEnded: number }
  | Failure<
    "invalid" | "wrong_credentials" | "rate_limited" | "busy" | "unavailable"
  >;

/** The refusal of a wrong password (or a mistyped address). */
export const DELETE_WRONG = "That is not your current password.";

/**
 * Checks the confirmation and deletes the account with everything it
 * owns. `input.password` for an account with a password, else
 * `input.email` equal to the account's address.
 *
 * @example
 * ```ts
 * import type { User } from "../db/users.ts";
 * declare const deps: DeleteDeps;
 * declare const user: User;
 * const meta = { ip: "203.0.113.9", userAgent: null };
 * const result = await deleteAccount(deps, user, { password: "correct horse battery" }, meta);
 * if (!result.ok) console.log(result.error);
 * ```
 */
export async function deleteAccount(
  deps: DeleteDeps,
  user: User,
  input: Record<string, unknown>,
  meta: RequestMeta,
): Promise<DeleteResult> {
  const db = deps.sessions.db;
  const given = user.hasPassword ? input.password : input.email;
  if (typeof given !== "string" || given === "") {
    const field = user.hasPassword ? "password" : "email";
    return failure("invalid", "Please correct the highlighted fields", {
      details: {
        [field]: user.hasPassword
          ? "Enter your current password to delete your account."
          : "Type your account's email address to delete it.",
      },
    });
  }

  let confirmed: boolean;
  if (user.hasPassword) {
    // As sign-in: refuse before counting when hashing is saturated, then
    // count the attempt (a stolen session must not become a way to guess
    // the password faster than the sign-in form allows).
    const full = hashingBusy();
    if (full) return busy(full);
    const wait = await deps.limiter.blockedFor(user.email);
    if (wait > 0) {
      return failure(
        "rate_limited",
        `Too many wrong passwords for this account; try again in ${wait} seconds`,
        { retryAfterSeconds: wait, by: "account" },
      );
    }
    const hash = await getPasswordHash(db, user.id);
    try {
      if (hash === null) await dummyVerify();
      confirmed = hash !== null && await verifyPassword(hash, given);
    } catch (err) {
      if (err instanceof QueueFullError) return busy(err);
      throw err;
    }
  } else {
    confirmed = normalizeEmail(given) === user.email;
  }
  if (!confirmed) {
    await audit(db, {
      userId: user.id,
      event: "account.delete_failed",
      ip: meta.ip,
      userAgent: meta.userAgent,
    });
    return failure("wrong_credentials", DELETE_WRONG, {
      details: {
        [user.hasPassword ? "password" : "email"]: user.hasPassword
          ? DELETE_WRONG
          : "That is not your account's email address.",
      },
    });
  }
  if (user.hasPassword) await deps.limiter.succeeded(user.email);

  const now = Date.now();
  let ids: string[];
  try {
    ids = await db.transaction(async (tx) => {
      return await removeAccount(tx, deps, user, meta, now);
    });
  } catch (err) {
    // A hook refused (e.g. the subscription could not be cancelled):
    // nothing was deleted, and the person is told why.
    if (!(err instanceof DeleteRefusedError)) throw err;
    return failure("unavailable", err.message, { retryAfterSeconds: 60 });
  }
  await forgetSessions(deps.sessions, ids);
  return { ok: true, sessionsEnded: ids.length };
}

/** The transaction's part: hooks, sessions, audit, goodbye, rows. */
async function removeAccount(
  tx: Queryable,
  deps: DeleteDeps,
  user: User,
  meta: RequestMeta,
  now: number,
): Promise<string[]> {
  for (const hook of deps.hooks ?? BEFORE_DELETE_HOOKS) {
    await hook.run({ tx, user, now, billing: deps.billing ?? null });
  }
  const ids = await deleteUserSessions(tx, user.id);
  await tx.run(
    "UPDATE audit_log SET ip = NULL, user_agent = NULL WHERE user_id = ?",
    [user.id],
  );
  // Written while the user row exists (the foreign key), unlinked with
  // the others when it goes; no address, as with the rows above.
  await audit(tx, {
    userId: user.id,
    event: "account.delete",
    details: { sessionsEnded: ids.length },
  }, now);
  // The goodbye says where the deletion came from, as every notice does:
  // the person reading it is the one who should know.
  await securityNotice(tx, deps, {
    kind: "account_deleted",
    user,
    meta,
    at: now,
  });
  await deleteUser(tx, user.id);
  return ids;
}
