/**
 * Changing the password from settings: the current password is required,
 * the new one follows the sign-up rules; every OTHER session ends (this
 * one stays, so the person is not thrown out of the page they are on),
 * outstanding reset links stop working, and a notice goes to the
 * account's address. All of it in one transaction.
 *
 * @module
 */
import { audit } from "../db/audit.ts";
import { deleteUserPasswordResetTokens } from "../db/password_reset_tokens.ts";
import { deleteOtherSessions } from "../db/sessions.ts";
import { updatePasswordHash, type User } from "../db/users.ts";
import {
  type AccountDeps,
  type AccountMeta,
  noticeDeps,
  nowOf,
} from "./account_deps.ts";
import { securityNotice } from "../email/notices.ts";
import { newPasswordProblem } from "./new_password.ts";
import { type Failure, failure } from "./outcome.ts";
import { hashPassword, QueueFullError } from "./password.ts";
import { reauthenticate, reauthenticated } from "./reauthenticate.ts";
import { forgetSessions } from "./session.ts";
import { busy } from "./sign_in.ts";

/** Outcome of {@linkcode changePassword}. */
export type ChangePasswordResult =
  | { ok: true; sessionsEnded: number }
  | Failure<"invalid" | "rate_limited" | "busy">;

/**
 * Changes the signed-in user's password (`input.currentPassword`,
 * `input.newPassword`), keeping `currentSessionId`.
 *
 * @example
 * ```ts
 * import type { AccountDeps, AccountMeta } from "./account_deps.ts";
 * import type { User } from "../db/users.ts";
 * declare const deps: AccountDeps;
 * declare const meta: AccountMeta;
 * declare const user: User;
 * const result = await changePassword(deps, user, "session-id", {
 *   currentPassword: "Tulip orbit 7391 quartz!",
 *   newPassword: "Harbour lantern 2210 fig",
 * }, meta);
 * ```
 */
export async function changePassword(
  deps: AccountDeps,
  user: User,
  currentSessionId: string,
  input: Record<string, string>,
  meta: AccountMeta,
): Promise<ChangePasswordResult> {
  const problem = newPasswordProblem(input.newPassword, user.email);
  if (problem !== null) {
    const details: Record<string, string> = { newPassword: problem };
    if (!input.currentPassword) {
      details.currentPassword = "Enter your current password";
    }
    return failure("invalid", "Please correct the highlighted fields", {
      details,
    });
  }
  const refused = await reauthenticate(
    deps,
    user,
    input.currentPassword,
    "currentPassword",
  );
  if (refused) return refused;
  let passwordHash: string;
  try {
    passwordHash = await hashPassword(input.newPassword);
  } catch (err) {
    if (err instanceof QueueFullError) return busy(err);
    throw err;
  }
  const now = nowOf(deps);
  const ended = await deps.db.transaction(async (tx) => {
    await updatePasswordHash(tx, user.id, passwordHash, now);
    await deleteUserPasswordResetTokens(tx, user.id);
    const ids = await deleteOtherSessions(tx, user.id, currentSessionId);
    await audit(tx, {
      userId: user.id,
      event: "auth.password_changed",
      ip: meta.ip,
      userAgent: meta.userAgent,
      details: { sessionsEnded: ids.length },
    }, now);
    await securityNotice(tx, noticeDeps(deps), {
      kind: "password_changed",
      user,
      meta,
      at: now,
      extra: [
        "It was changed in settings. Every other device that was signed in has been signed out.",
      ],
    });
    return ids;
  });
  await forgetSessions(deps.sessions, ended);
  await reauthenticated(deps, user.id);
  return { ok: true, sessionsEnded: ended.length };
}
