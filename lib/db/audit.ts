/**
 * The audit log: security-relevant events (sign-in, sign-out, password and
 * 2FA changes, session revocations, billing changes), kept after the user
 * is deleted. Never put secrets (passwords, tokens, codes) in `details`.
 *
 * @module
 */
import type { Queryable } from "./db.ts";

/**
 * Every event the app writes. A closed list, so that a misspelt or invented
 * name (in code or in an example) fails type-checking instead of writing
 * rows that nothing reads; add the name here when adding an event.
 */
export type AuditEventName =
  | "auth.sign_up"
  // Someone signed up with an address that has an account: nothing changed
  // but an email to its owner; the person signing up was told the same as
  // a new address.
  | "auth.sign_up_existing"
  | "auth.verification_sent"
  | "auth.email_verified"
  | "auth.sign_in"
  | "auth.sign_in_failed"
  | "auth.sign_out"
  | "session.end"
  | "session.end_others"
  | "auth.password_reset_requested"
  | "auth.password_reset"
  | "auth.password_changed"
  | "auth.email_change_requested"
  | "auth.email_changed"
  | "auth.email_change_undone"
  // Every session ended from the "this wasn't me" link of a security notice.
  | "session.end_all"
  // A security notice about a sign-in from a device not seen before was sent.
  | "security.new_device"
  // Two-factor (issue 10). A wrong code (authenticator or recovery) is
  // second_factor_failed; a sign-in completed with a code is
  // second_factor_passed (details.method); the confirm-access page's
  // proof is access_confirmed.
  | "auth.two_factor_enabled"
  | "auth.two_factor_disabled"
  | "auth.recovery_codes_regenerated"
  | "auth.recovery_code_used"
  | "auth.second_factor_failed"
  | "auth.second_factor_passed"
  | "auth.access_confirmed"
  | "account.preferences"
  | "account.export"
  | "account.delete"
  // Deletion refused: the password did not match. No longer written (the
  // confirm-access page checks the password now, and records a wrong one
  // as auth.sign_in_failed); kept for the rows written before.
  | "account.delete_failed"
  // The plan tier changed, as Stripe's state says (details: from, to).
  | "billing.plan_changed"
  // Stripe could not take a subscription payment (details: attempt).
  | "billing.payment_failed"
  // A subscription payment was disputed with the card issuer.
  | "billing.payment_disputed"
  // A sign-in provider identity was connected to the account (issue 11;
  // details: provider (its display name), providerId, label, via "email"
  // when a sign-in linked it by a verified address on both sides, or
  // "settings") or disconnected (provider, label). A sign-in or sign-up
  // through a provider is auth.sign_in / auth.sign_up with details.provider.
  | "oauth.linked"
  | "oauth.unlinked";

/** One event to record. */
export interface AuditEvent {
  /** The user concerned, or null (e.g. a sign-in attempt for an unknown e-mail). */
  userId: string | null;
  /** What happened, e.g. "auth.sign_in" or "session.end". */
  event: AuditEventName;
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
 * import type { Queryable } from "./db.ts";
 * declare const db: Queryable;
 * declare const userId: string;
 * await audit(db, {
 *   userId,
 *   event: "auth.sign_in_failed",
 *   ip: "203.0.113.9",
 *   userAgent: "Mozilla/5.0",
 *   details: { reason: "wrong_password" },
 * });
 * ```
 */
export async function audit(
  db: Queryable,
  entry: AuditEvent,
  now: number = Date.now(),
): Promise<number> {
  // The user as it is now: an account deleted while this request ran (a
  // sign-out racing the deletion) leaves the event with no user, as the
  // deletion leaves its older rows, instead of failing the foreign key.
  const row = await db.get<{ id: number }>(
    `INSERT INTO audit_log (user_id, event, ip, user_agent, created_at, details)
     VALUES ((SELECT id FROM users WHERE id = ?), ?, ?, ?, ?, ?) RETURNING id`,
    [
      entry.userId,
      entry.event,
      entry.ip?.slice(0, MAX_IP) ?? null,
      entry.userAgent?.slice(0, MAX_USER_AGENT) ?? null,
      now,
      entry.details == null ? null : JSON.stringify(entry.details),
    ],
  );
  return Number(row!.id);
}

/**
 * A user's most recent events, newest first (for an account activity page).
 *
 * @example
 * ```ts
 * import type { Queryable } from "./db.ts";
 * declare const db: Queryable;
 * declare const userId: string;
 * const entries = await listAuditForUser(db, userId, 50);
 * ```
 */
export async function listAuditForUser(
  db: Queryable,
  userId: string,
  limit = 50,
): Promise<AuditEntry[]> {
  const rows = await db.all(
    `SELECT id, user_id, event, ip, user_agent, created_at, details FROM audit_log
     WHERE user_id = ? ORDER BY created_at DESC, id DESC LIMIT ?`,
    [userId, limit],
  );
  return rows.map((row) => ({
    id: Number(row.id),
    userId: row.user_id === null ? null : String(row.user_id),
    event: String(row.event),
    ip: row.ip === null ? null : String(row.ip),
    userAgent: row.user_agent === null ? null : String(row.user_agent),
    createdAt: Number(row.created_at),
    details: row.details === null ? null : JSON.parse(String(row.details)),
  }));
}

/** Where a page of {@linkcode listAuditPage} ends: the last entry's time and id. */
export interface AuditCursor {
  createdAt: number;
  id: number;
}

/** One page of a user's events. */
export interface AuditPage {
  entries: AuditEntry[];
  /** Where the next (older) page starts, or null when this is the last. */
  next: AuditCursor | null;
}

/**
 * One page of a user's events, newest first, older than `before` when
 * given. Keyset pagination on (created_at, id): each page is one index
 * range however deep, and an event written while someone pages neither
 * repeats nor skips an entry, as OFFSET would.
 *
 * @example
 * ```ts
 * import type { Queryable } from "./db.ts";
 * declare const db: Queryable;
 * declare const userId: string;
 * const first = await listAuditPage(db, userId, { limit: 20 });
 * if (first.next) await listAuditPage(db, userId, { limit: 20, before: first.next });
 * ```
 */
export async function listAuditPage(
  db: Queryable,
  userId: string,
  opts: { limit: number; before?: AuditCursor | null },
): Promise<AuditPage> {
  const limit = Math.max(1, Math.min(200, Math.trunc(opts.limit)));
  // One more row than asked tells whether another page follows.
  const rows = opts.before
    ? await db.all(
      `SELECT ${AUDIT_COLUMNS} FROM audit_log
       WHERE user_id = ? AND (created_at, id) < (?, ?)
       ORDER BY created_at DESC, id DESC LIMIT ?`,
      [userId, opts.before.createdAt, opts.before.id, limit + 1],
    )
    : await db.all(
      `SELECT ${AUDIT_COLUMNS} FROM audit_log WHERE user_id = ?
       ORDER BY created_at DESC, id DESC LIMIT ?`,
      [userId, limit + 1],
    );
  const entries = rows.slice(0, limit).map(toEntry);
  const last = entries.at(-1);
  return {
    entries,
    next: rows.length > limit && last
      ? { createdAt: last.createdAt, id: last.id }
      : null,
  };
}

/**
 * Every event of a user, newest first (the data export). Bounded by
 * `max` so one account cannot make an unbounded answer.
 *
 * @example
 * ```ts
 * import type { Queryable } from "./db.ts";
 * declare const db: Queryable;
 * const all = await listAllAuditForUser(db, "user-id", 10_000);
 * ```
 */
export async function listAllAuditForUser(
  db: Queryable,
  userId: string,
  max: number,
): Promise<AuditEntry[]> {
  const rows = await db.all(
    `SELECT ${AUDIT_COLUMNS} FROM audit_log WHERE user_id = ?
     ORDER BY created_at DESC, id DESC LIMIT ?`,
    [userId, max],
  );
  return rows.map(toEntry);
}

const AUDIT_COLUMNS = "id, user_id, event, ip, user_agent, created_at, details";

function toEntry(row: Record<string, unknown>): AuditEntry {
  return {
    id: Number(row.id),
    userId: row.user_id === null ? null : String(row.user_id),
    event: String(row.event),
    ip: row.ip === null ? null : String(row.ip),
    userAgent: row.user_agent === null ? null : String(row.user_agent),
    createdAt: Number(row.created_at),
    details: row.details === null ? null : JSON.parse(String(row.details)),
  };
}
