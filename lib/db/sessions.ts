/**
 * Session rows. Only `lib/auth/session.ts` should call these: it owns the
 * rules (hash comparison, deadlines, cache invalidation) that make a row a
 * valid session. Times are Unix milliseconds.
 *
 * @module
 */
import { bool, dialect, type Queryable } from "./db.ts";
import { type User, userColumns, userFromArray } from "./users.ts";

/**
 * The fields of a session that are not secret: one list for the row, its
 * cached copy (lib/auth/session_cache.ts) and the app's `Session`.
 */
export interface SessionFields {
  id: string;
  userId: string;
  createdAt: number;
  lastVerifiedAt: number;
  /** Absolute deadline. */
  expiresAt: number;
  /** This session passed a second factor (a code or a recovery code). */
  twoFactorVerified: boolean;
  /**
   * The first factor was accepted and a code is still owed: the session
   * reaches only the code page and sign-out (see `lib/web/state.ts`).
   */
  secondFactorPending: boolean;
  /** When the session last proved who is using it (sign-in or re-check). */
  authenticatedAt: number;
  ip: string | null;
  userAgent: string | null;
}

/** A stored session. */
export interface SessionRow extends SessionFields {
  /** SHA-256 of the token's secret part (32 bytes). */
  secretHash: Uint8Array;
}

const COLUMNS =
  `id, secret_hash, user_id, created_at, last_verified_at, expires_at,
  two_factor_verified, second_factor_pending, authenticated_at, ip, user_agent`;

const COLUMN_COUNT = 11;
const S_COLUMNS = COLUMNS.replace(/\w+/g, "s.$&");
const SESSION_BY_ID = `SELECT ${COLUMNS} FROM sessions WHERE id = ?`;
const SESSION_WITH_USER = `SELECT ${S_COLUMNS}, ${userColumns("u.")}
  FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id = ?`;
const SESSIONS_OF_USER = `SELECT ${COLUMNS} FROM sessions WHERE user_id = ?
  ORDER BY last_verified_at DESC, created_at DESC`;

/** Maps the values of `COLUMNS` in an array row, from `offset`. */
function fromArray(v: readonly unknown[], offset = 0): SessionRow {
  const o = offset;
  return {
    id: String(v[o]),
    secretHash: v[o + 1] as Uint8Array,
    userId: String(v[o + 2]),
    createdAt: Number(v[o + 3]),
    lastVerifiedAt: Number(v[o + 4]),
    expiresAt: Number(v[o + 5]),
    twoFactorVerified: bool(v[o + 6]),
    secondFactorPending: bool(v[o + 7]),
    authenticatedAt: Number(v[o + 8]),
    ip: v[o + 9] === null ? null : String(v[o + 9]),
    userAgent: v[o + 10] === null ? null : String(v[o + 10]),
  };
}

/**
 * Stores a new session.
 *
 * @example
 * ```ts
 * import { generateSessionToken, hashSecret } from "../auth/session_token.ts";
 * import type { Queryable } from "./db.ts";
 * declare const db: Queryable;
 * declare const userId: string;
 * const { id, secret } = generateSessionToken();
 * const secretHash = hashSecret(secret);
 * const now = Date.now();
 * await insertSession(db, { id, secretHash, userId, createdAt: now, lastVerifiedAt: now,
 *   expiresAt: now + 30 * 86_400_000, twoFactorVerified: false,
 *   secondFactorPending: false, authenticatedAt: now, ip: "203.0.113.9", userAgent: "Mozilla/5.0" });
 * ```
 */
export async function insertSession(
  db: Queryable,
  row: SessionRow,
): Promise<void> {
  await db.run(
    `INSERT INTO sessions (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    [
      row.id,
      row.secretHash,
      row.userId,
      row.createdAt,
      row.lastVerifiedAt,
      row.expiresAt,
      row.twoFactorVerified ? 1 : 0,
      row.secondFactorPending ? 1 : 0,
      row.authenticatedAt,
      row.ip,
      row.userAgent,
    ],
  );
}

/**
 * The session with this id, or null.
 *
 * @example
 * ```ts
 * import type { Queryable } from "./db.ts";
 * declare const db: Queryable;
 * declare const id: string;
 * const row = await getSession(db, id);
 * ```
 */
export async function getSession(
  db: Queryable,
  id: string,
): Promise<SessionRow | null> {
  const [values] = await db.values(SESSION_BY_ID, [id]);
  return values === undefined ? null : fromArray(values);
}

/**
 * The session with this id and its user, in one query (the cache-miss path
 * of session validation), or null.
 *
 * @example
 * ```ts
 * import type { Queryable } from "./db.ts";
 * declare const db: Queryable;
 * declare const id: string;
 * const found = await getSessionWithUser(db, id);
 * if (found) console.log(found.row.userId === found.user.id); // true
 * ```
 */
export async function getSessionWithUser(
  db: Queryable,
  id: string,
): Promise<{ row: SessionRow; user: User } | null> {
  const [values] = await db.values(SESSION_WITH_USER, [id]);
  if (values === undefined) return null;
  return { row: fromArray(values), user: userFromArray(values, COLUMN_COUNT) };
}

/**
 * Whether a session with this id still exists (cheap revocation check).
 *
 * @example
 * ```ts
 * import type { Cache } from "../cache/cache.ts";
 * import { cacheKey } from "../auth/session_cache.ts";
 * import type { Queryable } from "./db.ts";
 * declare const db: Queryable;
 * declare const cache: Cache;
 * declare const id: string;
 * if (!(await sessionExists(db, id))) await cache.delete(cacheKey(id));
 * ```
 */
export async function sessionExists(
  db: Queryable,
  id: string,
): Promise<boolean> {
  return (await db.get("SELECT 1 AS one FROM sessions WHERE id = ?", [id])) !==
    undefined;
}

/**
 * Moves `last_verified_at` forward (never back: two instances may race) and
 * optionally sets a new absolute deadline. Returns false when the session
 * no longer exists.
 *
 * @example
 * ```ts
 * import type { Queryable } from "./db.ts";
 * declare const db: Queryable;
 * declare const id: string;
 * const stillThere = await touchSession(db, id, { lastVerifiedAt: Date.now() }); // false: revoked
 * ```
 */
export async function touchSession(
  db: Queryable,
  id: string,
  times: { lastVerifiedAt: number; expiresAt?: number },
): Promise<boolean> {
  // SQLite's two-argument max() is PostgreSQL's greatest().
  const sql = dialect(db, {
    sqlite: `UPDATE sessions SET last_verified_at = max(last_verified_at, ?),
       expires_at = coalesce(?, expires_at) WHERE id = ?`,
    postgres:
      `UPDATE sessions SET last_verified_at = greatest(last_verified_at, ?),
       expires_at = coalesce(?, expires_at) WHERE id = ?`,
  });
  const { changes } = await db.run(sql, [
    times.lastVerifiedAt,
    times.expiresAt ?? null,
    id,
  ]);
  return changes === 1;
}

/**
 * Records a fresh proof of who is using the session (the confirm-access
 * page); moves forward only. Returns false when the session is gone.
 *
 * @example
 * ```ts
 * import type { Queryable } from "./db.ts";
 * declare const db: Queryable;
 * declare const id: string;
 * const stillThere = await setAuthenticatedAt(db, id, Date.now());
 * ```
 */
export async function setAuthenticatedAt(
  db: Queryable,
  id: string,
  at: number,
): Promise<boolean> {
  const sql = dialect(db, {
    sqlite: `UPDATE sessions SET authenticated_at = max(authenticated_at, ?)
       WHERE id = ? AND second_factor_pending = 0`,
    postgres:
      `UPDATE sessions SET authenticated_at = greatest(authenticated_at, ?)
       WHERE id = ? AND second_factor_pending = 0`,
  });
  const { changes } = await db.run(sql, [at, id]);
  return changes === 1;
}

/**
 * Deletes one session; returns whether it existed.
 *
 * @example
 * ```ts
 * import type { Queryable } from "./db.ts";
 * declare const db: Queryable;
 * declare const id: string;
 * const existed = await deleteSession(db, id);
 * ```
 */
export async function deleteSession(
  db: Queryable,
  id: string,
): Promise<boolean> {
  const { changes } = await db.run("DELETE FROM sessions WHERE id = ?", [id]);
  return changes === 1;
}

/**
 * Deletes a session only while it is still waiting for its second factor;
 * returns whether it did. The one step that turns a pending sign-in into a
 * signed-in one: of two requests completing the same pending session at
 * once, exactly one deletes it, so one pending session yields at most one
 * signed-in session.
 *
 * @example
 * ```ts
 * import type { Queryable } from "./db.ts";
 * declare const db: Queryable;
 * declare const pendingId: string;
 * if (!(await deletePendingSession(db, pendingId))) console.log("already used or ended");
 * ```
 */
export async function deletePendingSession(
  db: Queryable,
  id: string,
): Promise<boolean> {
  const { changes } = await db.run(
    "DELETE FROM sessions WHERE id = ? AND second_factor_pending = 1",
    [id],
  );
  return changes === 1;
}

/**
 * Deletes every session of a user; returns their ids (to clear caches).
 *
 * @example
 * ```ts
 * import type { Queryable } from "./db.ts";
 * declare const db: Queryable;
 * declare const userId: string;
 * const ids = await deleteUserSessions(db, userId);
 * ```
 */
export async function deleteUserSessions(
  db: Queryable,
  userId: string,
): Promise<string[]> {
  const rows = await db.all(
    "DELETE FROM sessions WHERE user_id = ? RETURNING id",
    [userId],
  );
  return rows.map((row) => String(row.id));
}

/**
 * Deletes every session of a user except `keepId`; returns the deleted ids.
 *
 * @example
 * ```ts
 * import type { Queryable } from "./db.ts";
 * declare const db: Queryable;
 * declare const userId: string;
 * declare const currentSessionId: string;
 * const ids = await deleteOtherSessions(db, userId, currentSessionId);
 * ```
 */
export async function deleteOtherSessions(
  db: Queryable,
  userId: string,
  keepId: string,
): Promise<string[]> {
  const rows = await db.all(
    "DELETE FROM sessions WHERE user_id = ? AND id != ? RETURNING id",
    [userId, keepId],
  );
  return rows.map((row) => String(row.id));
}

/**
 * Every session of a user, most recently used first.
 *
 * @example
 * ```ts
 * import type { Queryable } from "./db.ts";
 * declare const db: Queryable;
 * declare const userId: string;
 * const rows = await listSessionsForUser(db, userId);
 * ```
 */
export async function listSessionsForUser(
  db: Queryable,
  userId: string,
): Promise<SessionRow[]> {
  const rows = await db.values(SESSIONS_OF_USER, [userId]);
  return rows.map((values) => fromArray(values));
}

/**
 * Deletes sessions past their absolute deadline (`expires_at <= now`) or
 * idle since `idleBefore` (`last_verified_at <= idleBefore`); returns how
 * many. Housekeeping only: validation checks deadlines itself.
 *
 * @example
 * ```ts
 * import type { Queryable } from "./db.ts";
 * declare const db: Queryable;
 * await deleteExpiredSessions(db, Date.now(), Date.now() - 10 * 86_400_000);
 * ```
 */
export async function deleteExpiredSessions(
  db: Queryable,
  now: number,
  idleBefore: number,
): Promise<number> {
  const { changes } = await db.run(
    "DELETE FROM sessions WHERE expires_at <= ? OR last_verified_at <= ?",
    [now, idleBefore],
  );
  return changes;
}
