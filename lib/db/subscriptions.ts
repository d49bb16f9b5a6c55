/**
 * Writing a customer's subscriptions as Stripe has them, and the tickets
 * that order the reads of Stripe's state (`billing_sync`, migration
 * 0008). Reading them back is `listSubscriptions` in `account_data.ts`.
 *
 * @module
 */
import type { Queryable } from "./db.ts";

/** Stripe's subscription statuses, as the `subscriptions.status` CHECK allows. */
export const SUBSCRIPTION_STATUSES = [
  "incomplete",
  "incomplete_expired",
  "trialing",
  "active",
  "past_due",
  "canceled",
  "unpaid",
  "paused",
] as const;
/** One subscription status. */
export type SubscriptionStatus = typeof SUBSCRIPTION_STATUSES[number];

/** A subscription to store: Stripe's, reduced to what Islet shows and gates on. */
export interface SubscriptionRecord {
  stripeSubscriptionId: string;
  status: SubscriptionStatus;
  priceId: string | null;
  /** The tier its price sells ("pro", "team"), or null for a price not configured. */
  plan: string | null;
  currentPeriodStart: number | null;
  currentPeriodEnd: number | null;
  cancelAtPeriodEnd: boolean;
  paymentMethodBrand: string | null;
  paymentMethodLast4: string | null;
}

/**
 * Takes the next ticket for a read of `userId`'s customer from Stripe:
 * call it just before the read begins.
 *
 * @example
 * ```ts
 * import type { Queryable } from "./db.ts";
 * declare const db: Queryable;
 * const ticket = await takeSyncTicket(db, "user-id");
 * ```
 */
export async function takeSyncTicket(
  db: Queryable,
  userId: string,
): Promise<number> {
  const row = await db.get<{ next_ticket: number }>(
    `INSERT INTO billing_sync (user_id, next_ticket) VALUES (?, 1)
     ON CONFLICT (user_id) DO UPDATE SET next_ticket = billing_sync.next_ticket + 1
     RETURNING next_ticket`,
    [userId],
  );
  return Number(row!.next_ticket);
}

/**
 * Records, inside the transaction that writes a read's result, that the
 * read with `ticket` is written: true when no later read was written
 * before it (then write), false when one was (then write nothing: that
 * one's state is newer). On PostgreSQL the row stays locked until the
 * transaction ends, so two writers for one user take turns.
 *
 * @example
 * ```ts
 * import type { Queryable } from "./db.ts";
 * declare const db: Queryable;
 * await db.transaction(async (tx) => {
 *   if (await claimSyncWrite(tx, "user-id", 7)) {
 *     // write the state read with ticket 7
 *   }
 * });
 * ```
 */
export async function claimSyncWrite(
  tx: Queryable,
  userId: string,
  ticket: number,
  now: number = Date.now(),
): Promise<boolean> {
  const { changes } = await tx.run(
    `UPDATE billing_sync SET written_ticket = ?, synced_at = ?
     WHERE user_id = ? AND written_ticket < ?`,
    [ticket, now, userId, ticket],
  );
  return changes === 1;
}

/**
 * Makes `userId`'s subscription rows exactly `subs`: each upserted by its
 * Stripe id, rows Stripe no longer lists for the customer deleted.
 *
 * @example
 * ```ts
 * import type { Queryable } from "./db.ts";
 * declare const tx: Queryable;
 * await replaceSubscriptions(tx, "user-id", [{
 *   stripeSubscriptionId: "sub_1", status: "active", priceId: "price_pro", plan: "pro",
 *   currentPeriodStart: 0, currentPeriodEnd: 1, cancelAtPeriodEnd: false,
 *   paymentMethodBrand: "visa", paymentMethodLast4: "4242",
 * }]);
 * ```
 */
export async function replaceSubscriptions(
  tx: Queryable,
  userId: string,
  subs: readonly SubscriptionRecord[],
  now: number = Date.now(),
): Promise<void> {
  const keep = subs.map((s) => s.stripeSubscriptionId);
  if (keep.length === 0) {
    await tx.run("DELETE FROM subscriptions WHERE user_id = ?", [userId]);
  } else {
    await tx.run(
      `DELETE FROM subscriptions WHERE user_id = ? AND stripe_subscription_id NOT IN (${
        keep.map(() => "?").join(", ")
      })`,
      [userId, ...keep],
    );
  }
  for (const s of subs) {
    // A subscription moves with its customer; the conflict target keeps
    // one row per Stripe subscription whichever user held it before.
    await tx.run(
      `INSERT INTO subscriptions (user_id, stripe_subscription_id, status, price_id, plan,
         current_period_start, current_period_end, cancel_at_period_end,
         payment_method_brand, payment_method_last4, created_at, updated_at)
       VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?11)
       ON CONFLICT (stripe_subscription_id) DO UPDATE SET
         user_id = excluded.user_id, status = excluded.status,
         price_id = excluded.price_id, plan = excluded.plan,
         current_period_start = excluded.current_period_start,
         current_period_end = excluded.current_period_end,
         cancel_at_period_end = excluded.cancel_at_period_end,
         payment_method_brand = excluded.payment_method_brand,
         payment_method_last4 = excluded.payment_method_last4,
         updated_at = excluded.updated_at`,
      [
        userId,
        s.stripeSubscriptionId,
        s.status,
        s.priceId,
        s.plan,
        s.currentPeriodStart,
        s.currentPeriodEnd,
        s.cancelAtPeriodEnd ? 1 : 0,
        s.paymentMethodBrand,
        s.paymentMethodLast4,
        now,
      ],
    );
  }
}

/**
 * The users that have a Stripe customer, in id order after `afterId`, a
 * page at a time (for `billing:sync`).
 *
 * @example
 * ```ts
 * import type { Queryable } from "./db.ts";
 * declare const db: Queryable;
 * const page = await usersWithCustomers(db, "", 100);
 * ```
 */
export async function usersWithCustomers(
  db: Queryable,
  afterId: string,
  limit: number,
): Promise<{ id: string; customerId: string }[]> {
  const rows = await db.all(
    `SELECT id, stripe_customer_id FROM users
     WHERE stripe_customer_id IS NOT NULL AND id > ? ORDER BY id LIMIT ?`,
    [afterId, limit],
  );
  return rows.map((r) => ({
    id: String(r.id),
    customerId: String(r.stripe_customer_id),
  }));
}
