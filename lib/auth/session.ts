/**
 * The session engine (Lucia style): plain functions over plain data.
 *
 * - The database is the source of truth; the cache holds validated sessions
 *   under `session:<id>` for at most an hour and never past their
 *   deadlines, and each worker keeps them in process too (`local`, see
 *   `session_local.ts`). Every cached entry is still checked against the
 *   secret hash and the deadlines, and ending a session deletes its key and
 *   announces the id to every worker and instance, so revocation is
 *   immediate everywhere.
 * - Deadlines: absolute (`sessionDurationDays` after creation) and idle
 *   (`inactivityTimeoutDays` after the last verification, sliding).
 *   `last_verified_at` is written at most once an hour, so an active user
 *   costs one write an hour, not one per request.
 *
 * @module
 */
import type { Cache } from "../cache/cache.ts";
import { sessionsKey, userKey } from "../db/changes.ts";
import type { Db } from "../db/db.ts";
import type { RowCache } from "../db/row_cache.ts";
import * as rows from "../db/sessions.ts";
import { getUserById, type User } from "../db/users.ts";
import type { LocalSessions } from "./session_local.ts";
import {
  cachedRow,
  type CachedSessionRow,
  cacheKey,
  decodeCachedSession,
  encodeCachedSession,
  sessionFields,
} from "./session_cache.ts";
import {
  constantTimeEqualHex,
  generateSessionToken,
  hashSecret,
  hashSecretHex,
  parseSessionToken,
} from "./session_token.ts";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
// Request headers are attacker-sized; what we store and compare is bounded.
const MAX_USER_AGENT = 512;
const MAX_IP = 64;

/** Session settings (from SESSION_DURATION_DAYS, INACTIVITY_TIMEOUT_DAYS, SESSION_BIND_USER_AGENT). */
export interface SessionSettings {
  sessionDurationDays: number;
  inactivityTimeoutDays: number;
  /** When true, a request with a different user agent ends the session. */
  bindUserAgent: boolean;
}

/** What the engine needs. `now` is injectable for tests. */
export interface SessionDeps {
  db: Db;
  cache: Cache;
  settings: SessionSettings;
  /**
   * Validated sessions kept in this process, emptied by revocation
   * messages (see `session_local.ts`). Without it every request reads the
   * shared cache, then the database.
   */
  local?: LocalSessions;
  /**
   * Users and session lists kept in process, emptied by the database's
   * change notices (PostgreSQL; see `db/row_cache.ts`). Without it they
   * are read from the database on every request.
   */
  rows?: RowCache;
  now?: () => number;
}

/** Defaults of the design: 30 days absolute, 10 days idle, no UA binding. */
export const DEFAULT_SESSION_SETTINGS: SessionSettings = {
  sessionDurationDays: 30,
  inactivityTimeoutDays: 10,
  bindUserAgent: false,
};

/** How long a session waits for its second factor: 10 minutes. */
export const SECOND_FACTOR_PENDING_MS = 10 * 60_000;

/** A session as the app sees it (no secret material). Times are Unix ms. */
export interface Session extends rows.SessionFields {
  /**
   * Absolute deadline, shortened to the current setting when that is
   * lower; the cookie expires then too.
   */
  expiresAt: number;
  /** Idle deadline: `lastVerifiedAt` + inactivity timeout. */
  idleExpiresAt: number;
}

function nowOf(deps: SessionDeps): number {
  return deps.now?.() ?? Date.now();
}

function toSession(
  row: rows.SessionRow | CachedSessionRow,
  settings: SessionSettings,
): Session {
  return {
    ...sessionFields(row),
    // A shortened setting applies to existing sessions too.
    expiresAt: Math.min(
      row.expiresAt,
      row.createdAt + settings.sessionDurationDays * DAY,
    ),
    idleExpiresAt: row.lastVerifiedAt + settings.inactivityTimeoutDays * DAY,
  };
}

function bounded(value: string | null | undefined, max: number): string | null {
  return value ? value.slice(0, max) : null;
}

/**
 * Creates a session for `userId` and returns the token to put in the cookie
 * (shown once; only its hash is stored). Call on every sign-in and
 * privilege change, and end the previous session: a token issued before
 * sign-in never becomes valid.
 *
 * @example
 * ```ts
 * import { sessionCookie } from "./cookie.ts";
 * declare const deps: SessionDeps;
 * import type { User } from "../db/users.ts";
 * declare const user: User;
 * declare const req: Request;
 * const secure = new URL(req.url).protocol === "https:";
 * const { token, session } = await createSession(deps, user.id, {
 *   ip: "203.0.113.9",
 *   userAgent: req.headers.get("user-agent"),
 *   twoFactorVerified: false,
 * });
 * const headers = new Headers();
 * headers.append("set-cookie", sessionCookie(token, session.expiresAt, secure));
 * ```
 */
export async function createSession(
  deps: SessionDeps,
  userId: string,
  meta: {
    ip?: string | null;
    userAgent?: string | null;
    twoFactorVerified?: boolean;
    /**
     * The first factor was accepted and a code is owed: the session lives
     * {@linkcode SECOND_FACTOR_PENDING_MS} and passes nothing but the code
     * page and sign-out.
     */
    secondFactorPending?: boolean;
  } = {},
): Promise<{ token: string; session: Session }> {
  const now = nowOf(deps);
  const { id, secret, token } = generateSessionToken();
  const row: rows.SessionRow = {
    id,
    secretHash: hashSecret(secret),
    userId,
    createdAt: now,
    lastVerifiedAt: now,
    expiresAt: now +
      (meta.secondFactorPending
        ? SECOND_FACTOR_PENDING_MS
        : deps.settings.sessionDurationDays * DAY),
    twoFactorVerified: meta.twoFactorVerified ?? false,
    secondFactorPending: meta.secondFactorPending ?? false,
    authenticatedAt: now,
    ip: bounded(meta.ip, MAX_IP),
    userAgent: bounded(meta.userAgent, MAX_USER_AGENT),
  };
  await rows.insertSession(deps.db, row);
  return { token, session: toSession(row, deps.settings) };
}

/**
 * The session and user a token belongs to, or null when the token is
 * malformed, unknown, wrong, expired, revoked, or (with UA binding) used
 * from another user agent. Expired and UA-mismatched sessions are deleted.
 * Never throws on bad input.
 *
 * @example
 * ```ts
 * import { deleteSessionCookie, readSessionToken } from "./cookie.ts";
 * declare const deps: SessionDeps;
 * declare const req: Request;
 * declare const secure: boolean;
 * const headers = new Headers();
 * const result = await validateSessionToken(deps, readSessionToken(req, secure), {
 *   userAgent: req.headers.get("user-agent"),
 * });
 * if (result === null) headers.append("set-cookie", deleteSessionCookie(secure));
 * ```
 */
export async function validateSessionToken(
  deps: SessionDeps,
  token: string | null | undefined,
  request: { userAgent?: string | null } = {},
): Promise<{ session: Session; user: User } | null> {
  const parts = parseSessionToken(token);
  if (parts === null) return null;
  const { db, cache, settings, local } = deps;
  const now = nowOf(deps);

  // Taken before anything is read: a revocation announced from now on
  // keeps what we read out of process memory.
  const ticket = local?.begin() ?? null;
  let row = local?.get(parts.id) ?? null;
  const fromLocal = row !== null;
  if (row === null) {
    // An unreachable cache is a miss, not an error: the database answers.
    let cached: string | null = null;
    try {
      cached = await cache.get(cacheKey(parts.id));
    } catch {
      // treated as a miss
    }
    row = decodeCachedSession(cached, parts.id);
  }
  const fromCache = row !== null;
  // On a miss, one query reads the session and its user. Otherwise the user
  // is read from the database, or from `rows` where the database announces
  // every change to it, so a change of tier, 2FA or e-mail, or a deletion,
  // is seen by the next request.
  let user: User | null = null;
  if (row === null) {
    const found = await rows.getSessionWithUser(db, parts.id);
    if (found === null) return null;
    row = cachedRow(found.row);
    user = found.user;
  }
  if (!constantTimeEqualHex(hashSecretHex(parts.secret), row.secretHashHex)) {
    return null;
  }

  let session = toSession(row, settings);
  if (now >= session.expiresAt || now >= session.idleExpiresAt) {
    await invalidateSession(deps, row.id);
    return null;
  }
  if (
    settings.bindUserAgent &&
    row.userAgent !== bounded(request.userAgent, MAX_USER_AGENT)
  ) {
    await invalidateSession(deps, row.id);
    return null;
  }

  user ??= await readUser(deps, row.userId);
  if (user === null) { // deleted user; the cascade already removed the row
    await invalidateSession(deps, row.id);
    return null;
  }

  let stale = !fromCache;
  if (now - row.lastVerifiedAt >= HOUR) {
    // A missing row means the session was revoked while cached.
    if (!(await rows.touchSession(db, row.id, { lastVerifiedAt: now }))) {
      await cache.delete(cacheKey(row.id));
      await local?.revoke([row.id]);
      return null;
    }
    row = { ...row, lastVerifiedAt: now };
    session = toSession(row, settings);
    stale = true;
  }
  if (stale && !(await cacheRow(deps, row, session, now))) return null;
  if (local && (stale || !fromLocal)) {
    local.store(
      ticket,
      row,
      Math.min(session.expiresAt, session.idleExpiresAt),
    );
  }
  return { session, user };
}

/** The user, from `rows` when the deps have it. */
function readUser(deps: SessionDeps, id: string): Promise<User | null> {
  const { db, rows } = deps;
  return rows
    ? rows.read(userKey(id), () => getUserById(db, id))
    : getUserById(db, id);
}

/**
 * Caches a validated row; false when the session turned out to be revoked.
 * The existence re-check after writing closes a race: a revocation that
 * ran between our database read and our cache write would otherwise be
 * undone by that write for up to an hour.
 */
async function cacheRow(
  deps: SessionDeps,
  row: CachedSessionRow,
  session: Session,
  now: number,
): Promise<boolean> {
  const deadline = Math.min(
    session.expiresAt,
    session.idleExpiresAt,
    now + HOUR,
  );
  const ttlSeconds = Math.floor((deadline - now) / 1000);
  if (ttlSeconds < 1) return true;
  try {
    await deps.cache.set(
      cacheKey(row.id),
      encodeCachedSession(row),
      ttlSeconds,
    );
  } catch {
    return true; // the cache is an optimisation; the database answered
  }
  if (await rows.sessionExists(deps.db, row.id)) return true;
  await deps.cache.delete(cacheKey(row.id));
  return false;
}

/**
 * Ends one session (sign-out, or the user ending it from their list).
 * Database first, then cache, so a concurrent validation cannot re-cache it.
 *
 * @example
 * ```ts
 * declare const deps: SessionDeps;
 * declare const session: Session;
 * await invalidateSession(deps, session.id);
 * ```
 */
export async function invalidateSession(
  deps: SessionDeps,
  sessionId: string,
): Promise<void> {
  await rows.deleteSession(deps.db, sessionId);
  await deps.cache.delete(cacheKey(sessionId));
  await deps.local?.revoke([sessionId]);
}

/**
 * Records that the person using `sessionId` proved who they are just now
 * (the confirm-access page), so sensitive actions pass for the next ten
 * minutes. The row is updated first, then its cached copies are dropped,
 * the shared cache's entry and every worker's and instance's in-process
 * one (the same messages revocation sends), so the next request anywhere
 * reads the new time from the database. Returns false when the session is
 * gone or still waits for its second factor.
 *
 * A validation that read the row before this update may still cache the
 * older time: that only asks for the proof again, it never grants one.
 *
 * @example
 * ```ts
 * declare const deps: SessionDeps;
 * declare const session: Session;
 * const marked = await markSessionAuthenticated(deps, session.id);
 * ```
 */
export async function markSessionAuthenticated(
  deps: SessionDeps,
  sessionId: string,
): Promise<boolean> {
  const marked = await rows.setAuthenticatedAt(
    deps.db,
    sessionId,
    nowOf(deps),
  );
  await forget(deps, [sessionId]);
  return marked;
}

/**
 * Ends every session of a user (password reset, account deletion, "sign
 * out everywhere"). Returns how many were ended.
 *
 * @example
 * ```ts
 * declare const deps: SessionDeps;
 * import type { User } from "../db/users.ts";
 * declare const user: User;
 * const ended = await invalidateUserSessions(deps, user.id);
 * ```
 */
export async function invalidateUserSessions(
  deps: SessionDeps,
  userId: string,
): Promise<number> {
  const ids = await rows.deleteUserSessions(deps.db, userId);
  await forget(deps, ids);
  return ids.length;
}

/**
 * Ends every session of a user but `keepSessionId` (the current one).
 * Returns how many were ended.
 *
 * @example
 * ```ts
 * declare const deps: SessionDeps;
 * import type { User } from "../db/users.ts";
 * declare const user: User;
 * declare const session: Session;
 * const ended = await invalidateOtherSessions(deps, user.id, session.id);
 * ```
 */
export async function invalidateOtherSessions(
  deps: SessionDeps,
  userId: string,
  keepSessionId: string,
): Promise<number> {
  const ids = await rows.deleteOtherSessions(deps.db, userId, keepSessionId);
  await forget(deps, ids);
  return ids.length;
}

/**
 * Drops sessions whose rows are already deleted from the shared cache and
 * from every process's memory. For an action that deletes the rows inside
 * its own transaction (`deleteUserSessions(tx, …)` from `lib/db/sessions.ts`,
 * with the change that ends them): call it once that transaction has
 * committed, database first as {@linkcode invalidateSession} does.
 *
 * @example
 * ```ts
 * import { deleteUserSessions } from "../db/sessions.ts";
 * declare const deps: SessionDeps;
 * const ids = await deps.db.transaction((tx) => deleteUserSessions(tx, "user-id"));
 * await forgetSessions(deps, ids);
 * ```
 */
export async function forgetSessions(
  deps: SessionDeps,
  ids: readonly string[],
): Promise<void> {
  await forget(deps, [...ids]);
}

/** After the rows are gone: the shared cache, then every process memory. */
async function forget(deps: SessionDeps, ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  await deps.cache.delete(...ids.map(cacheKey));
  await deps.local?.revoke(ids);
}

/**
 * A user's live sessions (expired ones left out), most recent first, for
 * the "your sessions" page.
 *
 * @example
 * ```ts
 * declare const deps: SessionDeps;
 * import type { User } from "../db/users.ts";
 * declare const user: User;
 * const sessions = await listUserSessions(deps, user.id);
 * ```
 */
export async function listUserSessions(
  deps: SessionDeps,
  userId: string,
): Promise<Session[]> {
  const now = nowOf(deps);
  const { db } = deps;
  const list = deps.rows
    ? await deps.rows.read(
      sessionsKey(userId),
      () => rows.listSessionsForUser(db, userId),
    )
    : await rows.listSessionsForUser(db, userId);
  return list
    .map((row) => toSession(row, deps.settings))
    .filter((s) => now < s.expiresAt && now < s.idleExpiresAt);
}

/**
 * Deletes expired sessions from the database (housekeeping, e.g. daily).
 * Returns how many.
 *
 * @example
 * ```ts
 * declare const deps: SessionDeps;
 * setInterval(() => {
 *   // A rejection left unhandled would end the process: log it instead.
 *   purgeExpiredSessions(deps).catch((err) => console.error(err));
 * }, 86_400_000);
 * ```
 */
export function purgeExpiredSessions(deps: SessionDeps): Promise<number> {
  const now = nowOf(deps);
  return rows.deleteExpiredSessions(
    deps.db,
    now,
    now - deps.settings.inactivityTimeoutDays * DAY,
  );
}
