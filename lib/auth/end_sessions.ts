/**
 * The user's own session actions: end one session, or all but the current
 * one. Each is recorded in the audit log. The settings page (plain forms)
 * and the JSON API are thin adapters over these.
 *
 * @module
 */
import { audit } from "../db/audit.ts";
import {
  invalidateOtherSessions,
  invalidateSession,
  listUserSessions,
  type Session,
  type SessionDeps,
} from "./session.ts";
import type { RequestMeta } from "./sign_up.ts";

/**
 * Ends every session of `userId` except `currentId`; returns how many.
 *
 * @example
 * ```ts
 * import type { SessionDeps } from "./session.ts";
 * declare const deps: SessionDeps;
 * const meta = { ip: "203.0.113.9", userAgent: null };
 * const ended = await endOtherSessions(deps, "user-id", "current-session-id", meta); // 2
 * ```
 */
export async function endOtherSessions(
  deps: SessionDeps,
  userId: string,
  currentId: string,
  meta: RequestMeta,
): Promise<number> {
  const ended = await invalidateOtherSessions(deps, userId, currentId);
  await audit(deps.db, {
    userId,
    event: "session.end_others",
    ip: meta.ip,
    userAgent: meta.userAgent,
    details: { ended },
  });
  return ended;
}

/**
 * Ends one of `userId`'s sessions and returns it, or null when `sessionId`
 * is not one of their live sessions: another user's session is
 * indistinguishable from an unknown one.
 *
 * @example
 * ```ts
 * import type { SessionDeps } from "./session.ts";
 * declare const deps: SessionDeps;
 * const meta = { ip: "203.0.113.9", userAgent: null };
 * const ended = await endOneSession(deps, "user-id", "some-session-id", meta);
 * if (ended === null) console.log("not one of this user's live sessions");
 * ```
 */
export async function endOneSession(
  deps: SessionDeps,
  userId: string,
  sessionId: string,
  meta: RequestMeta,
): Promise<Session | null> {
  const target = (await listUserSessions(deps, userId)).find((s) =>
    s.id === sessionId
  );
  if (target === undefined) return null;
  await invalidateSession(deps, target.id);
  await audit(deps.db, {
    userId,
    event: "session.end",
    ip: meta.ip,
    userAgent: meta.userAgent,
    details: { sessionId: target.id },
  });
  return target;
}

/**
 * Signs out: ends this session server-side and records it.
 *
 * @example
 * ```ts
 * import type { SessionDeps } from "./session.ts";
 * declare const deps: SessionDeps;
 * await signOut(deps, "user-id", "session-id", { ip: "203.0.113.7", userAgent: null });
 * ```
 */
export async function signOut(
  deps: SessionDeps,
  userId: string,
  sessionId: string,
  meta: RequestMeta,
): Promise<void> {
  await invalidateSession(deps, sessionId);
  await audit(deps.db, {
    userId,
    event: "auth.sign_out",
    ip: meta.ip,
    userAgent: meta.userAgent,
  });
}
