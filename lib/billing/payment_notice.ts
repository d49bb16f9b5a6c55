/**
 * Whether a signed-in account's payment needs fixing, for the banner on
 * every page: its subscription is `past_due` (a payment failed and Stripe
 * is retrying; the plan still works) or `unpaid` (Stripe gave up; the
 * plan is on hold).
 *
 * It runs on every signed-in page, so it is built to cost nothing there:
 * - an account without a Stripe customer (most of them) is answered from
 *   the user row already loaded for the session, with no lookup at all;
 * - one with a customer is answered from the cache (in process, or one
 *   Redis GET), where the answer is kept for an hour and dropped by every
 *   write of Stripe's state (`syncCustomer`, the webhook's path);
 * - only a miss reads the database (one query of the account's
 *   subscriptions), never Stripe, so a slow Stripe cannot slow a page.
 *
 * @module
 */
import type { Cache } from "../cache/cache.ts";
import { listSubscriptions } from "../db/account_data.ts";
import type { Queryable } from "../db/db.ts";
import type { User } from "../db/users.ts";
import { BILLING_STATE_TTL_SECONDS, mainSubscription } from "./state.ts";
import { paymentStatusKey } from "./sync.ts";

/** What is wrong with the payment, when something is. */
export type PaymentProblem = "past_due" | "unpaid";

// The cached value when nothing is wrong: a hit, so no query follows.
const FINE = "ok";

/**
 * The account's payment problem, or null when there is none (or no
 * subscription at all).
 *
 * @example
 * ```ts
 * import type { Cache } from "../cache/cache.ts";
 * import type { Queryable } from "../db/db.ts";
 * import type { User } from "../db/users.ts";
 * declare const deps: { db: Queryable; cache: Cache };
 * declare const user: User;
 * const problem = await paymentProblem(deps, user);
 * if (problem !== null) console.log("show the banner");
 * ```
 */
export async function paymentProblem(
  deps: { db: Queryable; cache: Cache },
  user: Pick<User, "id" | "stripeCustomerId">,
): Promise<PaymentProblem | null> {
  // Subscriptions are only ever written for a customer (syncCustomer):
  // without one there is nothing to look up.
  if (user.stripeCustomerId === null) return null;
  const key = paymentStatusKey(user.id);
  const cached = await deps.cache.get(key);
  if (cached === FINE) return null;
  if (cached === "past_due" || cached === "unpaid") return cached;
  const main = mainSubscription(await listSubscriptions(deps.db, user.id));
  const problem = main?.status === "past_due" || main?.status === "unpaid"
    ? main.status
    : null;
  await deps.cache.set(key, problem ?? FINE, BILLING_STATE_TTL_SECONDS);
  return problem;
}
