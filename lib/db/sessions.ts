/**
 * Session rows. Only `lib/auth/session.ts` should call these: it owns the
 * rules (hash comparison, deadlines, cache invalidation) that make a row a
 * valid session. Times are Unix milliseconds.
 *
 * @module
 */
import type { SQLOutputValue } from "node:sqlite";
import type { Db } from "./connection.ts";
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
  twoFactorVerified: boolean;
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
  two_factor_verified, ip, user_agent`;

const COLUMN_COUNT = 9;
const S_COLUMNS = COLUMNS.replace(/\w+/g, "s.$&");
const SESSION_BY_ID = `SELECT ${COLUMNS} FROM sessions WHERE id = ?`;
const SESSION_WITH_USER = `SELECT ${S_COLUMNS}, ${userColumns("u.")}
  FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id = ?`;
const SESSIONS_OF_USER = `SELECT ${COLUMNS} FROM sessions WHERE user_id = ?
  ORDER BY last_verified_at DESC, created_at DESC`;

/** Maps the values of `COLUMNS` in an array row, from `offset`. */
function fromArray(v: SQLOutputValue[], offset = 0): SessionRow {
  const o = offset;
  return {
    id: String(v[o]),
    secretHash: v[o + 1] as Uint8Array,
    userId: String(v[o + 2]),
    createdAt: Number(v[o + 3]),
    lastVerifiedAt: Number(v[o + 4]),
    expiresAt: Number(v[o + 5]),
    twoFactorVerified: v[o + 6] === 1,
    ip: v[o + 7] === null ? null : String(v[o + 7]),
    userAgent: v[o + 8] === null ? null : String(v[o + 8]),
  };
}

/**
 * Stores a new session.
 *
 * @example
 * ```ts
 * import { generateSessionToken, hashSecret } from "../auth/session_token.ts";
 * import type { Db } from "./connection.ts";
 * declare const db: Db;
 * declare const userId: string;
 * const { id, secret } = generateSessionToken();
 * const secretHash = hashSecret(secret);
 * const now = Date.now();
 * insertSession(db, { id, secretHash, userId, createdAt: now, lastVerifiedAt: now,
 *   expiresAt: now + 30 * 86_400_000, twoFactorVerified: false,
 *   ip: "203.0.113.9", userAgent: "Mozilla/5.0" });
 * ```
 */
export function insertSession(db: Db, row: SessionRow): void {
  db.prepare(
    `INSERT INTO sessions (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(
    row.id,
    row.secretHash,
    row.userId,
    row.createdAt,
    row.lastVerifiedAt,
    row.expiresAt,
    row.twoFactorVerified ? 1 : 0,
    row.ip,
    row.userAgent,
  );
}

/**
 * The session with this id, or null.
 *
 * @example
 * ```ts
 * import type { Db } from "./connection.ts";
 * declare const db: Db;
 * declare const id: string;
 * const row = getSession(db, id);
 * ```
 */
export function getSession(db: Db, id: string): SessionRow | null {
  const values = db.prepareArrays(SESSION_BY_ID).get(id) as
    | SQLOutputValue[]
    | undefined;
  return values === undefined ? null : fromArray(values);
}

/**
 * The session with this id and its user, in one query (the cache-miss path
 * of session validation), or null.
 *
 * @example
 * ```ts
 * import type { Db } from "./connection.ts";
 * declare const db: Db;
 * declare const id: string;
 * const found = getSessionWithUser(db, id);
 * if (found) console.log(found.row.userId === found.user.id); // true
 * ```
 */
export function getSessionWithUser(
  db: Db,
  id: string,
): { row: SessionRow; user: User } | null {
  const values = db.prepareArrays(SESSION_WITH_USER).get(id) as
    | SQLOutputValue[]
    | undefined;
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
 * import type { Db } from "./connection.ts";
 * declare const db: Db;
 * declare const cache: Cache;
 * declare const id: string;
 * if (!sessionExists(db, id)) await cache.delete(cacheKey(id));
 * ```
 */
export function sessionExists(db: Db, id: string): boolean {
  return db.prepare("SELECT 1 FROM sessions WHERE id = ?").get(id) !==
    undefined;
}

/**
 * Moves `last_verified_at` forward (never back: two instances may race) and
 * optionally sets a new absolute deadline. Returns false when the session
 * no longer exists.
 *
 * @example
 * ```ts
 * import type { Db } from "./connection.ts";
 * declare const db: Db;
 * declare const id: string;
 * const stillThere = touchSession(db, id, { lastVerifiedAt: Date.now() }); // false: revoked
 * ```
 */
export function touchSession(
  db: Db,
  id: string,
  times: { lastVerifiedAt: number; expiresAt?: number },
): boolean {
  const { changes } = db.prepare(
    `UPDATE sessions SET last_verified_at = max(last_verified_at, ?),
       expires_at = coalesce(?, expires_at) WHERE id = ?`,
  ).run(times.lastVerifiedAt, times.expiresAt ?? null, id);
  return Number(changes) === 1;
}

/**
 * Deletes one session; returns whether it existed.
 *
 * @example
 * ```ts
 * import type { Db } from "./connection.ts";
 * declare const db: Db;
 * declare const id: string;
 * const existed = deleteSession(db, id);
 * ```
 */
export function deleteSession(db: Db, id: string): boolean {
  return Number(
    db.prepare("DELETE FROM sessions WHERE id = ?").run(id).changes,
  ) === 1;
}

/**
 * Deletes every session of a user; returns their ids (to clear caches).
 *
 * @example
 * ```ts
 * import type { Db } from "./connection.ts";
 * declare const db: Db;
 * declare const userId: string;
 * const ids = deleteUserSessions(db, userId);
 * ```
 */
export function deleteUserSessions(db: Db, userId: string): string[] {
  return db.prepare("DELETE FROM sessions WHERE user_id = ? RETURNING id").all(
    userId,
  )
    .map((row) => String(row.id));
}

/**
 * Deletes every session of a user except `keepId`; returns the deleted ids.
 *
 * @example
 * ```ts
 * import type { Db } from "./connection.ts";
 * declare const db: Db;
 * declare const userId: string;
 * declare const currentSessionId: string;
 * const ids = deleteOtherSessions(db, userId, currentSessionId);
 * ```
 */
export function deleteOtherSessions(
  db: Db,
  userId: string,
  keepId: string,
): string[] {
  return db.prepare(
    "DELETE FROM sessions WHERE user_id = ? AND id != ? RETURNING id",
  )
    .all(userId, keepId).map((row) => String(row.id));
}

/**
 * Every session of a user, most recently used first.
 *
 * @example
 * ```ts
 * import type { Db } from "./connection.ts";
 * declare const db: Db;
 * declare const userId: string;
 * const rows = listSessionsForUser(db, userId);
 * ```
 */
export function listSessionsForUser(db: Db, userId: string): SessionRow[] {
  const rows = db.prepareArrays(SESSIONS_OF_USER).all(
    userId,
  ) as unknown as SQLOutputValue[][];
  return rows.map((values) => fromArray(values));
}

/**
 * Deletes sessions past their absolute deadline (`expires_at <= now`) or
 * idle since `idleBefore` (`last_verified_at <= idleBefore`); returns how
 * many. Housekeeping only: validation checks deadlines itself.
 *
 * @example
 * ```ts
 * import type { Db } from "./connection.ts";
 * declare const db: Db;
 * deleteExpiredSessions(db, Date.now(), Date.now() - 10 * 86_400_000);
 * ```
 */
export function deleteExpiredSessions(
  db: Db,
  now: number,
  idleBefore: number,
): number {
  return Number(
    db.prepare(
      "DELETE FROM sessions WHERE expires_at <= ? OR last_verified_at <= ?",
    )
      .run(now, idleBefore).changes,
  );
}
