/**
 * The public JSON views of users and sessions: never a hash or a secret.
 *
 * @module
 */
import type { Session } from "../auth/session.ts";
import type { User } from "../db/users.ts";

/**
 * A user as the API shows it to themselves.
 *
 * @example
 * ```ts
 * import { jsonOk } from "../http/json.ts";
 * import type { User } from "../db/users.ts";
 * declare const user: User;
 * const res = jsonOk({ user: userJson(user) });
 * ```
 */
export function userJson(user: User): Record<string, unknown> {
  return {
    id: user.id,
    email: user.email,
    username: user.username,
    emailVerified: user.emailVerifiedAt !== null,
    subscriptionTier: user.subscriptionTier,
    twoFactorEnabled: user.twoFactorEnabled,
    createdAt: new Date(user.createdAt).toISOString(),
  };
}

/**
 * A session as its owner sees it in the session list: with whether it
 * passed the second factor, and whether it is a sign-in still waiting for
 * its code (such a session is not signed in; listed so that its owner sees
 * a password entered elsewhere).
 *
 * @example
 * ```ts
 * import type { Session } from "../auth/session.ts";
 * declare const sessions: Session[];
 * declare const current: Session;
 * const list = sessions.map((s) => sessionJson(s, current.id));
 * ```
 */
export function sessionJson(
  session: Session,
  currentId: string,
): Record<string, unknown> {
  return {
    id: session.id,
    current: session.id === currentId,
    createdAt: new Date(session.createdAt).toISOString(),
    lastSeenAt: new Date(session.lastVerifiedAt).toISOString(),
    expiresAt: new Date(session.expiresAt).toISOString(),
    ip: session.ip,
    userAgent: session.userAgent,
    /** This session passed the second factor (a code or a recovery code). */
    twoFactorVerified: session.twoFactorVerified,
    /** The password was entered here and a code is still owed: not signed in. */
    waitingForCode: session.secondFactorPending,
  };
}
