/**
 * The session of a sign-in that still owes its second factor, and the step
 * that ends it: after the code (or a recovery code) is accepted, the
 * pending session is deleted and a NEW one (new id and secret, two-factor
 * verified) takes its place. The pending token itself never becomes a
 * signed-in one, so a token seen before the code (a shared computer, a
 * log) is worth nothing after it.
 *
 * @module
 */
import { deletePendingSession } from "../db/sessions.ts";
import {
  createSession,
  forgetSessions,
  SECOND_FACTOR_PENDING_MS,
  type Session,
  type SessionDeps,
} from "./session.ts";

/**
 * How long the cookie of a pending session is kept by the browser: a day,
 * well past the session's own 10 minutes. A cookie that expired with the
 * session would vanish from the browser at the deadline, and the code
 * page could not tell "your sign-in timed out" from "you never signed
 * in"; the server refuses the dead token either way and clears it.
 */
export const PENDING_COOKIE_MS = 24 * 3_600_000;

/**
 * The `Expires` to give a pending session's cookie (see
 * {@linkcode PENDING_COOKIE_MS}).
 *
 * @example
 * ```ts
 * import { sessionCookie } from "./cookie.ts";
 * declare const token: string;
 * const cookie = sessionCookie(token, pendingCookieExpiry(Date.now()), true);
 * ```
 */
export function pendingCookieExpiry(now: number): number {
  return now + Math.max(PENDING_COOKIE_MS, SECOND_FACTOR_PENDING_MS);
}

/**
 * Replaces a pending session with a new, two-factor verified session for
 * the same user, from the device that completed it. Null when the pending
 * session is gone (expired, signed out, or completed by a request that
 * came first): of two requests racing to complete one pending session,
 * only one gets a session. The caller has checked the second factor.
 *
 * @example
 * ```ts
 * import type { Session, SessionDeps } from "./session.ts";
 * declare const deps: SessionDeps;
 * declare const pending: Session;
 * const started = await completePendingSession(deps, pending, {
 *   ip: "203.0.113.9",
 *   userAgent: "Mozilla/5.0",
 * });
 * if (started === null) console.log("sign in again");
 * else console.log(started.session.twoFactorVerified); // true
 * ```
 */
export async function completePendingSession(
  deps: SessionDeps,
  pending: Pick<Session, "id" | "userId">,
  meta: { ip?: string | null; userAgent?: string | null },
): Promise<{ token: string; session: Session } | null> {
  if (!(await deletePendingSession(deps.db, pending.id))) return null;
  // Database first, then the caches, as every revocation does.
  await forgetSessions(deps, [pending.id]);
  return await createSession(deps, pending.userId, {
    ip: meta.ip,
    userAgent: meta.userAgent,
    twoFactorVerified: true,
  });
}
