/**
 * Whether a signed-in account's payment needs fixing, for the banner on
 * every page: its main subscription is `past_due` (a payment failed and
 * Stripe is retrying; the plan still works) or `unpaid` (Stripe gave up;
 * the plan is on hold).
 *
 * It shows on every signed-in page, so it costs nothing there: the answer
 * is a column of the user row (`users.payment_problem`, migration 0010),
 * which the page has already loaded for the session (through the row
 * cache on PostgreSQL), so no page looks anything up for it.
 * `syncCustomer` (the webhook's path and `billing:sync`) writes it with
 * {@linkcode paymentProblemOf} in the transaction that writes the
 * subscriptions and the tier, so it can never disagree with them, and
 * the change notice of that update refreshes every instance's copy.
 *
 * Rejected: a cache entry per account (one Redis GET on every page of an
 * account with a Stripe customer, a second key beside the billing
 * state's over the same rows, and a stale banner for up to its TTL when a
 * page read raced a sync).
 *
 * @module
 */
import type { StoredSubscription } from "../db/account_data.ts";
import type { PaymentProblem } from "../db/users.ts";
import { mainSubscription } from "./state.ts";

export type { PaymentProblem } from "../db/users.ts";

/**
 * The payment problem of an account with these subscriptions: the main
 * one's status when it is `past_due` or `unpaid`, else null (none at all,
 * or a live one beside an ended one that failed).
 *
 * @example
 * ```ts
 * import type { StoredSubscription } from "../db/account_data.ts";
 * declare const subs: StoredSubscription[];
 * const problem = paymentProblemOf(subs);
 * if (problem !== null) console.log("show the banner");
 * ```
 */
export function paymentProblemOf(
  subs: readonly Pick<StoredSubscription, "status" | "currentPeriodEnd">[],
): PaymentProblem | null {
  const status = mainSubscription(subs)?.status;
  return status === "past_due" || status === "unpaid" ? status : null;
}
