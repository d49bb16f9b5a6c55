/**
 * Writing what Stripe says about one customer: the one path by which
 * Islet's copy of a subscription and the user's plan tier change. The
 * webhook calls it for every event about a customer, `billing:sync` for
 * every customer. The read from Stripe happens outside any transaction
 * (it is a network call); what it found is written in one transaction,
 * with whatever the caller adds (the event's processed mark, its audit
 * rows and mail), so a failure leaves nothing half-written.
 *
 * Order: a ticket is taken before the read (`billing_sync`), and the
 * result is written only if no read that began later was written first.
 * Two events for one customer handled at once, on one instance or two,
 * can finish in either order without an older read overwriting a newer
 * one; the state written last is from the read that began last.
 *
 * @module
 */
import type { Cache } from "../cache/cache.ts";
import type { Config } from "../config.ts";
import type { Db, Queryable } from "../db/db.ts";
import { listSubscriptions } from "../db/account_data.ts";
import { audit } from "../db/audit.ts";
import type { Mailer } from "../email/mail.ts";
import {
  claimSyncWrite,
  replaceSubscriptions,
  takeSyncTicket,
} from "../db/subscriptions.ts";
import {
  type PaymentProblem,
  type SubscriptionTier,
  updateBilling,
} from "../db/users.ts";
import type { Billing } from "./client.ts";
import { type CustomerState, readCustomerState } from "./customer_state.ts";
import { paymentProblemOf } from "./payment_notice.ts";
import { billingStateKey } from "./state.ts";

/** What billing's lib functions need of the services (`billingDeps(services)`). */
export interface BillingDeps {
  billing: Billing;
  db: Db;
  cache: Cache;
  mailer: Mailer;
  config: Pick<Config, "appUrl">;
}

/** What {@linkcode syncCustomer} did. */
export interface SyncResult {
  /** False when a read that began later was written first (nothing written). */
  written: boolean;
  /** The tier before and after (equal when it did not change). */
  from: SubscriptionTier;
  to: SubscriptionTier;
  /** What Stripe said. */
  state: CustomerState;
}

/** What the caller adds to the write's transaction. */
export interface SyncExtras {
  /**
   * Runs first in the transaction: e.g. marks the event processed. A
   * throw rolls everything back.
   */
  before?(tx: Queryable): Promise<void>;
  /** Runs last in the transaction, with what was read and written. */
  after?(tx: Queryable, result: SyncResult): Promise<void>;
}

/** The user is gone (deleted while the read was under way): nothing was written. */
export class UserGoneError extends Error {
  constructor() {
    super("The account was deleted during the billing sync");
    this.name = "UserGoneError";
  }
}

/**
 * Re-reads `user`'s customer from Stripe and writes it: the subscription
 * rows, the plan tier and the payment problem on the user row, an audit
 * row when the tier changed. Drops the cached billing state after the
 * commit. Throws when
 * Stripe cannot be read or the write fails (nothing is written then).
 *
 * @example
 * ```ts
 * declare const deps: BillingDeps;
 * const result = await syncCustomer(deps, { id: "user-id", customerId: "cus_123" });
 * if (result.from !== result.to) console.log(`plan ${result.from} → ${result.to}`);
 * ```
 */
export async function syncCustomer(
  deps: BillingDeps,
  user: { id: string; customerId: string },
  extras: SyncExtras = {},
): Promise<SyncResult> {
  const ticket = await takeSyncTicket(deps.db, user.id);
  const state = await readCustomerState(deps.billing, user.customerId);
  const now = Date.now();
  const result = await deps.db.transaction(async (tx) => {
    await extras.before?.(tx);
    // First the ticket's row: on PostgreSQL it stays locked until the
    // commit, so the tier read below is not raced by another writer.
    const written = await claimSyncWrite(tx, user.id, ticket, now);
    const row = await tx.get<
      { subscription_tier: string; payment_problem: string | null }
    >(
      "SELECT subscription_tier, payment_problem FROM users WHERE id = ?",
      [user.id],
    );
    if (row === undefined) throw new UserGoneError();
    const from = row.subscription_tier as SubscriptionTier;
    let to = from;
    if (written) {
      await replaceSubscriptions(tx, user.id, state.subscriptions, now);
      to = state.tier;
      // Beside the tier, for the banner of every signed-in page: read with
      // the session's user, so no page looks anything up for it. From the
      // rows just written, as the billing page reads them (the same main
      // subscription, ties included).
      const problem = paymentProblemOf(
        await listSubscriptions(tx, user.id),
      );
      const changed: {
        subscriptionTier?: SubscriptionTier;
        paymentProblem?: PaymentProblem | null;
      } = {};
      if (to !== from) changed.subscriptionTier = to;
      if (problem !== row.payment_problem) changed.paymentProblem = problem;
      // Unchanged, the row is left alone: an update would also empty every
      // instance's cached copy of the user (PostgreSQL's change notices).
      if (Object.keys(changed).length > 0) {
        await updateBilling(tx, user.id, changed, now);
      }
      if (to !== from) {
        await audit(tx, {
          userId: user.id,
          event: "billing.plan_changed",
          details: { from, to },
        }, now);
      }
    }
    const done = { written, from, to, state };
    await extras.after?.(tx, done);
    return done;
  });
  await deps.cache.delete(billingStateKey(user.id));
  return result;
}
