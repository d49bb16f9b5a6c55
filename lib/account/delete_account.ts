/**
 * Deleting an account, for good. The person has proved who they are in the
 * last 10 minutes (the web layer requires it: `lib/web/recent_auth.ts`,
 * the password, and a code when two-factor is on, on the confirm-access
 * page) and presses the button; then, in ONE transaction: the hooks of
 * later features run (`delete_hooks.ts`: billing cancels the subscription
 * there), every session is deleted, the account's audit rows are
 * anonymised, the deletion is recorded, the goodbye email is queued, and
 * the user row is deleted, which takes every row it owns with it
 * (sessions, tokens, linked sign-in methods, recovery codes,
 * subscriptions, preferences: ON DELETE CASCADE). Any failure rolls all of
 * it back. After the commit, the ended sessions are dropped from every
 * cache, so they are refused everywhere at once.
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
import { deleteUser, type User } from "../db/users.ts";
import { forgetSessions, type SessionDeps } from "../auth/session.ts";
import { type Failure, failure } from "../auth/outcome.ts";
import type { RequestMeta } from "../auth/sign_up.ts";
import { type NoticeDeps, securityNotice } from "../email/notices.ts";
import type { Billing } from "../billing/client.ts";
import { BEFORE_DELETE_HOOKS, type BeforeDeleteHook } from "./delete_hooks.ts";
import { DeleteRefusedError } from "./delete_refused.ts";

/** What deletion needs. */
export interface DeleteDeps extends NoticeDeps {
  sessions: SessionDeps;
  /** The hooks to run; {@linkcode BEFORE_DELETE_HOOKS} unless a test says otherwise. */
  hooks?: readonly BeforeDeleteHook[];
  /** Stripe, for the billing hook (null or absent: not configured). */
  billing?: Billing | null;
}

/** Outcome of {@linkcode deleteAccount}. */
export type DeleteResult =
  | { ok: true; sessionsEnded: number }
  | Failure<"unavailable">;

/**
 * Deletes the account with everything it owns. Call it only for a session
 * with a recent proof (`requireRecentAuth`); a failing hook throws and
 * leaves everything in place, a refusing one (`DeleteRefusedError`: the
 * subscription could not be cancelled) answers `unavailable` with its
 * message.
 *
 * @example
 * ```ts
 * import type { User } from "../db/users.ts";
 * declare const deps: DeleteDeps;
 * declare const user: User;
 * const meta = { ip: "203.0.113.9", userAgent: null };
 * const result = await deleteAccount(deps, user, meta);
 * if (result.ok) console.log(result.sessionsEnded);
 * ```
 */
export async function deleteAccount(
  deps: DeleteDeps,
  user: User,
  meta: RequestMeta,
): Promise<DeleteResult> {
  const now = Date.now();
  let ids: string[];
  try {
    ids = await deps.sessions.db.transaction(async (tx) => {
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
