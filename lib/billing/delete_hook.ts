/**
 * Account deletion and billing: a deleted account must not go on being
 * charged. Before any row goes (`BEFORE_DELETE_HOOKS`), every live
 * subscription of the account's Stripe customer is cancelled at once and
 * the customer is deleted at Stripe.
 *
 * When that cannot be done (Stripe out of reach, or billing no longer
 * configured on this server while the account has a customer) the
 * deletion is refused with a clear message and nothing is deleted: a
 * deleted account with a subscription still charging its card would be a
 * paying orphan that nobody can cancel from here any more.
 *
 * The calls run inside the deletion's transaction (where hooks run), so on
 * SQLite other writes wait for them; deletions are rare, and cancelling
 * first, outside, would cancel the subscription of an account whose
 * deletion then failed.
 *
 * @module
 */
import type { BeforeDeleteHook } from "../account/delete_hooks.ts";
import { DeleteRefusedError } from "../account/delete_refused.ts";
import { isMissing, isUnreachable } from "./client.ts";

/** Statuses with nothing left to cancel. */
const ENDED = ["canceled", "incomplete_expired"];

/** What is said when the subscription cannot be cancelled now. */
export const CANNOT_CANCEL =
  "We could not reach our payment provider to cancel your subscription, so nothing was deleted (otherwise you could go on being charged). Please try again in a few minutes.";

/** What is said when this server has no Stripe keys but the account has a customer. */
export const BILLING_OFF_CANNOT_CANCEL =
  "Your account has a subscription with our payment provider, but billing is not configured on this server, so it cannot be cancelled from here. Nothing was deleted; please contact support.";

/**
 * The hook: cancel the subscriptions, delete the customer.
 *
 * @example
 * ```ts
 * import { BEFORE_DELETE_HOOKS } from "../account/delete_hooks.ts";
 * BEFORE_DELETE_HOOKS.includes(cancelBillingOnDelete); // true
 * ```
 */
export const cancelBillingOnDelete: BeforeDeleteHook = {
  name: "billing: cancel the subscription and delete the Stripe customer",
  async run({ tx, user, billing }) {
    // The stored id as the transaction sees it (a checkout may have made
    // the customer since the user object was read).
    const row = await tx.get<{ stripe_customer_id: string | null }>(
      "SELECT stripe_customer_id FROM users WHERE id = ?",
      [user.id],
    );
    const customer = row?.stripe_customer_id ?? null;
    if (customer === null) return;
    if (billing === null) {
      throw new DeleteRefusedError(BILLING_OFF_CANNOT_CANCEL);
    }
    try {
      const subs = await billing.stripe.subscriptions.list({
        customer,
        status: "all",
        limit: 100,
      });
      for (const sub of subs.data) {
        if (ENDED.includes(sub.status)) continue;
        await billing.stripe.subscriptions.cancel(sub.id).catch((err) => {
          if (!isMissing(err)) throw err;
        });
      }
      await billing.stripe.customers.del(customer);
    } catch (err) {
      // Deleted at Stripe already (by an earlier try, or in the
      // dashboard): its subscriptions ended with it.
      if (isMissing(err)) return;
      if (isUnreachable(err)) throw new DeleteRefusedError(CANNOT_CANCEL);
      throw err;
    }
  },
};
