/**
 * The `email_outbox` table: messages waiting for the deliverer
 * (`deliverer.ts`). A row is written in the transaction of the change that
 * caused it, claimed by one deliverer at a time (a conditional UPDATE, so
 * several app instances and workers may poll the same table), deleted once
 * delivered, or rescheduled with its error kind.
 *
 * The body rests in this table until it is delivered (or given up): it may
 * hold a single-use link, so the table is as sensitive as the token
 * tables, and nothing here logs a body or an address.
 *
 * @module
 */
import { dialect, type Queryable } from "../db/db.ts";
import type { EmailMessage } from "./mail.ts";

/** A queued message, as a deliverer claims it. */
export interface QueuedEmail extends EmailMessage {
  id: string;
  createdAt: number;
  /** Attempts started so far, this one included. */
  attempts: number;
}

/**
 * Queues `message` through `db` (the caller's transaction, if any) and
 * returns its id. Due at once.
 *
 * @example
 * ```ts
 * import type { Queryable } from "../db/db.ts";
 * declare const tx: Queryable;
 * const id = await enqueueEmail(tx, {
 *   to: "ada@example.com", subject: "Hi", text: "Hi", html: "<p>Hi</p>", kind: "test",
 * });
 * ```
 */
export async function enqueueEmail(
  db: Queryable,
  message: EmailMessage,
  now = Date.now(),
): Promise<string> {
  const id = crypto.randomUUID();
  await db.run(
    `INSERT INTO email_outbox (id, recipient, subject, text, html, kind, created_at, next_attempt_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    [
      id,
      message.to,
      message.subject,
      message.text,
      message.html,
      message.kind,
      now,
      now,
    ],
  );
  return id;
}

/**
 * Claims up to `limit` due messages for `leaseMs` and counts the attempt.
 * A row is due when its next attempt time has come and no live claim holds
 * it. Two deliverers racing for a row: the UPDATE re-checks the claim on
 * the row it locks (PostgreSQL re-evaluates the WHERE after waiting for
 * the other's lock; SQLite runs one writer at a time), so each row goes to
 * exactly one of them. PostgreSQL also skips rows another deliverer is
 * claiming, instead of waiting for them.
 *
 * @example
 * ```ts
 * import type { Queryable } from "../db/db.ts";
 * declare const db: Queryable;
 * const claimed = await claimDueEmails(db, { now: Date.now(), leaseMs: 300_000, limit: 10 });
 * ```
 */
export async function claimDueEmails(
  db: Queryable,
  opts: { now: number; leaseMs: number; limit: number },
): Promise<QueuedEmail[]> {
  const { now, leaseMs, limit } = opts;
  const due = "next_attempt_at <= ?1 AND claimed_until <= ?1";
  const rows = await db.all<{
    id: string;
    recipient: string;
    subject: string;
    text: string;
    html: string;
    kind: string;
    created_at: number;
    attempts: number;
  }>(
    dialect(db, {
      sqlite:
        `UPDATE email_outbox SET claimed_until = ?2, attempts = attempts + 1
        WHERE id IN (SELECT id FROM email_outbox WHERE ${due}
                     ORDER BY next_attempt_at LIMIT ?3)
          AND ${due}
        RETURNING id, recipient, subject, text, html, kind, created_at, attempts`,
      postgres:
        `UPDATE email_outbox SET claimed_until = ?2, attempts = attempts + 1
        WHERE id IN (SELECT id FROM email_outbox WHERE ${due}
                     ORDER BY next_attempt_at LIMIT ?3 FOR UPDATE SKIP LOCKED)
          AND ${due}
        RETURNING id, recipient, subject, text, html, kind, created_at, attempts`,
    }),
    [now, now + leaseMs, limit],
  );
  return rows.map((r) => ({
    id: r.id,
    to: r.recipient,
    subject: r.subject,
    text: r.text,
    html: r.html,
    kind: r.kind,
    createdAt: Number(r.created_at),
    attempts: Number(r.attempts),
  }));
}

/**
 * Removes a message: delivered, or given up.
 *
 * @example
 * ```ts
 * import type { Queryable } from "../db/db.ts";
 * declare const db: Queryable;
 * await deleteQueuedEmail(db, "9b2f…");
 * ```
 */
export async function deleteQueuedEmail(
  db: Queryable,
  id: string,
): Promise<void> {
  await db.run("DELETE FROM email_outbox WHERE id = ?", [id]);
}

/**
 * Releases a claimed message for another attempt at `nextAttemptAt`,
 * recording what kind of failure this one met.
 *
 * @example
 * ```ts
 * import type { Queryable } from "../db/db.ts";
 * declare const db: Queryable;
 * await rescheduleEmail(db, "9b2f…", { nextAttemptAt: Date.now() + 30_000, error: "ECONNECTION" });
 * ```
 */
export async function rescheduleEmail(
  db: Queryable,
  id: string,
  opts: { nextAttemptAt: number; error: string },
): Promise<void> {
  await db.run(
    "UPDATE email_outbox SET next_attempt_at = ?, claimed_until = 0, last_error = ? WHERE id = ?",
    [opts.nextAttemptAt, opts.error, id],
  );
}
