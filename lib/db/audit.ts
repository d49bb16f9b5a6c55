/**
 * The audit log: security-relevant events (sign-in, sign-out, password and
 * 2FA changes, session revocations, billing changes), kept after the user
 * is deleted. Never put secrets (passwords, tokens, codes) in `details`.
 *
 * @module
 */
import type { Db } from "./connection.ts";

/** One event to record. */
export interface AuditEvent {
  /** The user concerned, or null (e.g. a sign-in attempt for an unknown e-mail). */
  userId: string | null;
  /** Short dotted name, e.g. "auth.sign_in", "session.revoke". */
  event: string;
  ip?: string | null;
  userAgent?: string | null;
  /** Extra facts, stored as JSON. */
  details?: Record<string, unknown> | null;
}

/** A recorded event. */
export interface AuditEntry {
  id: number;
  userId: string | null;
  event: string;
  ip: string | null;
  userAgent: string | null;
  createdAt: number;
  details: Record<string, unknown> | null;
}

// Request headers are attacker-sized; the log should not be.
const MAX_USER_AGENT = 512;
const MAX_IP = 64;

/**
 * Records one event and returns its id.
 *
 * @example
 * ```ts
 * audit(db, { userId: user.id, event: "auth.sign_in", ip, userAgent, details: { method: "password" } });
 * ```
 */
export function audit(
  db: Db,
  entry: AuditEvent,
  now: number = Date.now(),
): number {
  const { lastInsertRowid } = db.prepare(
    `INSERT INTO audit_log (user_id, event, ip, user_agent, created_at, details)
     VALUES (?, ?, ?, ?, ?, ?)`,
  ).run(
    entry.userId,
    entry.event,
    entry.ip?.slice(0, MAX_IP) ?? null,
    entry.userAgent?.slice(0, MAX_USER_AGENT) ?? null,
    now,
    entry.details == null ? null : JSON.stringify(entry.details),
  );
  return Number(lastInsertRowid);
}

/**
 * A user's most recent events, newest first (for an account activity page).
 *
 * @example
 * ```ts
 * const entries = listAuditForUser(db, user.id, 50);
 * ```
 */
export function listAuditForUser(
  db: Db,
  userId: string,
  limit = 50,
): AuditEntry[] {
  return db.prepare(
    `SELECT id, user_id, event, ip, user_agent, created_at, details FROM audit_log
     WHERE user_id = ? ORDER BY created_at DESC, id DESC LIMIT ?`,
  ).all(userId, limit).map((row) => ({
    id: Number(row.id),
    userId: row.user_id === null ? null : String(row.user_id),
    event: String(row.event),
    ip: row.ip === null ? null : String(row.ip),
    userAgent: row.user_agent === null ? null : String(row.user_agent),
    createdAt: Number(row.created_at),
    details: row.details === null ? null : JSON.parse(String(row.details)),
  }));
}
