/**
 * The webhook's record of Stripe events (`stripe_events`): each event id
 * once, claimed by one delivery at a time, marked processed in the
 * transaction of what it wrote. See `lib/billing/webhook.ts` for the flow
 * and migration 0008 for the columns.
 *
 * @module
 */
import type { Queryable } from "./db.ts";

/** What {@linkcode claimEvent} found. */
export type Claim =
  /** This delivery holds the event now: process it. */
  | "claimed"
  /** Processed before: a duplicate, answered 200 and ignored. */
  | "processed"
  /** Another delivery holds a live claim on it right now. */
  | "held";

/** What an event did, once processed. */
export type EventOutcome =
  | "synced"
  | "ignored"
  | "unknown_customer"
  | "no_customer";

/**
 * Claims event `id` for `leaseMs` under `token`: by inserting its row, or
 * by taking over a row whose claim was released (a failed delivery) or
 * has run out (a crashed one). Atomic on both engines: of many deliveries
 * at once, one gets "claimed".
 *
 * @example
 * ```ts
 * import type { Queryable } from "./db.ts";
 * declare const db: Queryable;
 * const claim = await claimEvent(db, { id: "evt_1", type: "invoice.paid", token: crypto.randomUUID(), leaseMs: 120_000 });
 * if (claim === "processed") console.log("duplicate");
 * ```
 */
export async function claimEvent(
  db: Queryable,
  e: { id: string; type: string; token: string; leaseMs: number },
  now: number = Date.now(),
): Promise<Claim> {
  const until = now + e.leaseMs;
  const inserted = await db.run(
    `INSERT INTO stripe_events (id, type, received_at, claim_token, claimed_until)
     VALUES (?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
    [e.id, e.type, now, e.token, until],
  );
  if (inserted.changes === 1) return "claimed";
  const taken = await db.run(
    `UPDATE stripe_events SET claim_token = ?, claimed_until = ?
     WHERE id = ? AND processed_at IS NULL
       AND (claimed_until IS NULL OR claimed_until <= ?)`,
    [e.token, until, e.id, now],
  );
  if (taken.changes === 1) return "claimed";
  const row = await db.get<{ processed_at: unknown }>(
    "SELECT processed_at FROM stripe_events WHERE id = ?",
    [e.id],
  );
  // Gone between the statements only if purged: nothing to do for it.
  return row === undefined || row.processed_at !== null ? "processed" : "held";
}

/**
 * Marks the event processed, if `token` still holds it: call it in the
 * transaction of what the event wrote, and roll back when it answers
 * false (the claim ran out and another delivery took over).
 *
 * @example
 * ```ts
 * import type { Queryable } from "./db.ts";
 * declare const db: Queryable;
 * await db.transaction(async (tx) => {
 *   if (!(await finishEvent(tx, "evt_1", "token", "synced", "cus_1"))) throw new Error("claim lost");
 * });
 * ```
 */
export async function finishEvent(
  tx: Queryable,
  id: string,
  token: string,
  outcome: EventOutcome,
  customerId: string | null,
  now: number = Date.now(),
): Promise<boolean> {
  const { changes } = await tx.run(
    `UPDATE stripe_events
     SET processed_at = ?, outcome = ?, customer_id = ?, claim_token = NULL, claimed_until = NULL
     WHERE id = ? AND claim_token = ? AND processed_at IS NULL`,
    [now, outcome, customerId, id, token],
  );
  return changes === 1;
}

/**
 * Gives up a claim after a failure, so Stripe's retry (or a delivery
 * waiting now) processes the event at once instead of after the lease.
 *
 * @example
 * ```ts
 * import type { Queryable } from "./db.ts";
 * declare const db: Queryable;
 * await releaseEvent(db, "evt_1", "token");
 * ```
 */
export async function releaseEvent(
  db: Queryable,
  id: string,
  token: string,
): Promise<void> {
  await db.run(
    `UPDATE stripe_events SET claim_token = NULL, claimed_until = NULL
     WHERE id = ? AND claim_token = ? AND processed_at IS NULL`,
    [id, token],
  );
}

/** An event as recorded. */
export interface StripeEventRow {
  id: string;
  type: string;
  receivedAt: number;
  processedAt: number | null;
  outcome: EventOutcome | null;
  customerId: string | null;
}

/**
 * One recorded event, or null.
 *
 * @example
 * ```ts
 * import type { Queryable } from "./db.ts";
 * declare const db: Queryable;
 * const row = await getStripeEvent(db, "evt_1");
 * console.log(row?.outcome);
 * ```
 */
export async function getStripeEvent(
  db: Queryable,
  id: string,
): Promise<StripeEventRow | null> {
  const r = await db.get(
    `SELECT id, type, received_at, processed_at, outcome, customer_id
     FROM stripe_events WHERE id = ?`,
    [id],
  );
  if (r === undefined) return null;
  return {
    id: String(r.id),
    type: String(r.type),
    receivedAt: Number(r.received_at),
    processedAt: r.processed_at === null ? null : Number(r.processed_at),
    outcome: r.outcome === null ? null : r.outcome as EventOutcome,
    customerId: r.customer_id === null ? null : String(r.customer_id),
  };
}

/**
 * Deletes processed events older than `before` (Unix ms) and says how
 * many. Stripe retries an event for three days at most, so a month later
 * its id can no longer come back.
 *
 * @example
 * ```ts
 * import type { Queryable } from "./db.ts";
 * declare const db: Queryable;
 * await purgeProcessedEvents(db, Date.now() - 30 * 86_400_000);
 * ```
 */
export async function purgeProcessedEvents(
  db: Queryable,
  before: number,
): Promise<number> {
  const { changes } = await db.run(
    "DELETE FROM stripe_events WHERE processed_at IS NOT NULL AND processed_at < ?",
    [before],
  );
  return changes;
}
