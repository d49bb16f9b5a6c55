/**
 * Session rows. Only `lib/auth/session.ts` should call these: it owns the
 * rules (hash comparison, deadlines, cache invalidation) that make a row a
 * valid session. Times are Unix milliseconds.
 *
 * @module
 */
import type { SQLOutputValue } from "node:sqlite";
import type { Db } from "./connection.ts";

/** A stored session. */
export interface SessionRow {
  id: string;
  /** SHA-256 of the token's secret part (32 bytes). */
  secretHash: Uint8Array;
  userId: string;
  createdAt: number;
  lastVerifiedAt: number;
  /** Absolute deadline. */
  expiresAt: number;
  twoFactorVerified: boolean;
  ip: string | null;
  userAgent: string | null;
}

const COLUMNS =
  `id, secret_hash, user_id, created_at, last_verified_at, expires_at,
  two_factor_verified, ip, user_agent`;

function toRow(row: Record<string, SQLOutputValue>): SessionRow {
  return {
    id: String(row.id),
    secretHash: row.secret_hash as Uint8Array,
    userId: String(row.user_id),
    createdAt: Number(row.created_at),
    lastVerifiedAt: Number(row.last_verified_at),
    expiresAt: Number(row.expires_at),
    twoFactorVerified: row.two_factor_verified === 1,
    ip: row.ip === null ? null : String(row.ip),
    userAgent: row.user_agent === null ? null : String(row.user_agent),
  };
}

/**
 * Stores a new session.
 *
 * @example
 * ```ts
 * insertSession(db, { id, secretHash, userId, createdAt: now, lastVerifiedAt: now,
 *   expiresAt, twoFactorVerified: false, ip, userAgent });
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
 * const row = getSession(db, id);
 * ```
 */
export function getSession(db: Db, id: string): SessionRow | null {
  const row = db.prepare(`SELECT ${COLUMNS} FROM sessions WHERE id = ?`).get(
    id,
  );
  return row === undefined ? null : toRow(row);
}

/**
 * Whether a session with this id still exists (cheap revocation check).
 *
 * @example
 * ```ts
 * if (!sessionExists(db, id)) await cache.delete(`session:${id}`);
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
 * if (!touchSession(db, id, { lastVerifiedAt: Date.now() })) return null; // revoked
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
 * deleteSession(db, id);
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
 * const rows = listSessionsForUser(db, userId);
 * ```
 */
export function listSessionsForUser(db: Db, userId: string): SessionRow[] {
  return db.prepare(
    `SELECT ${COLUMNS} FROM sessions WHERE user_id = ?
     ORDER BY last_verified_at DESC, created_at DESC`,
  ).all(userId).map(toRow);
}

/**
 * Deletes sessions past their absolute deadline (`expires_at <= now`) or
 * idle since `idleBefore` (`last_verified_at <= idleBefore`); returns how
 * many. Housekeeping only: validation checks deadlines itself.
 *
 * @example
 * ```ts
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
