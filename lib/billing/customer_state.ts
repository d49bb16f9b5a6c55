/**
 * Reading a customer's state from Stripe: every subscription of the
 * customer, with its price, period, cancellation and card, reduced to the
 * records Islet stores, and the tier they grant. The webhook, the
 * reconciliation (`billing:sync`) and nothing else call it: the stored
 * state is always a copy of what Stripe says now, never of an event's
 * payload, so events that arrive late, twice or out of order cannot leave
 * it stale.
 *
 * @module
 */
import type Stripe from "stripe";
import type { SubscriptionTier } from "../db/users.ts";
import {
  SUBSCRIPTION_STATUSES,
  type SubscriptionRecord,
  type SubscriptionStatus,
} from "../db/subscriptions.ts";
import type { Billing } from "./client.ts";
import { higherTier, type PaidTier, tierOfPrice } from "./plans.ts";

/**
 * The statuses that keep a plan's features: paying, in a trial, or late
 * while Stripe retries the payment (the account keeps its plan and is
 * shown a banner to fix the card). `unpaid`, `incomplete`, `paused` and
 * `canceled` grant nothing.
 */
export const ENTITLED_STATUSES: readonly SubscriptionStatus[] = [
  "active",
  "trialing",
  "past_due",
];

/** A customer as Stripe has it now. */
export interface CustomerState {
  customerId: string;
  subscriptions: SubscriptionRecord[];
  /** The highest tier an entitled subscription grants, else "free". */
  tier: SubscriptionTier;
}

// A customer with more subscriptions than this is not a person's account.
const MAX_PAGES = 10;

/**
 * Reads customer `customerId`'s subscriptions from Stripe (all statuses,
 * each with its payment method) and what they grant.
 *
 * @example
 * ```ts
 * import type { Billing } from "./client.ts";
 * declare const billing: Billing;
 * const state = await readCustomerState(billing, "cus_123");
 * console.log(state.tier, state.subscriptions.length);
 * ```
 */
export async function readCustomerState(
  billing: Billing,
  customerId: string,
): Promise<CustomerState> {
  const subscriptions: SubscriptionRecord[] = [];
  let tier: SubscriptionTier = "free";
  let after: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const list = await billing.stripe.subscriptions.list({
      customer: customerId,
      status: "all",
      limit: 100,
      expand: ["data.default_payment_method"],
      ...(after === undefined ? {} : { starting_after: after }),
    });
    for (const sub of list.data) {
      const record = toRecord(billing, sub);
      if (record === null) continue;
      subscriptions.push(record);
      if (
        record.plan !== null && ENTITLED_STATUSES.includes(record.status)
      ) {
        tier = higherTier(tier, record.plan as SubscriptionTier);
      }
    }
    if (!list.has_more || list.data.length === 0) break;
    after = list.data[list.data.length - 1].id;
  }
  // Checkout puts the card on the subscription; one paid otherwise (set
  // up in the dashboard, or the card changed in the portal) may have it
  // only as the customer's default: read that only then.
  const bare = subscriptions.filter((s) =>
    s.paymentMethodLast4 === null && ENTITLED_STATUSES.includes(s.status)
  );
  if (bare.length > 0) {
    const customer = await billing.stripe.customers.retrieve(customerId, {
      expand: ["invoice_settings.default_payment_method"],
    });
    const card = "deleted" in customer && customer.deleted ? null : cardOf(
      (customer as Stripe.Customer).invoice_settings
        ?.default_payment_method,
    );
    for (const s of bare) {
      s.paymentMethodBrand = card?.brand ?? null;
      s.paymentMethodLast4 = card?.last4 ?? null;
    }
  }
  return { customerId, subscriptions, tier };
}

/** Stripe's subscription as stored, or null for a status this schema does not know. */
function toRecord(
  billing: Billing,
  sub: Stripe.Subscription,
): SubscriptionRecord | null {
  if (!(SUBSCRIPTION_STATUSES as readonly string[]).includes(sub.status)) {
    // A status added by a later API version: store nothing rather than
    // guess what it grants (fail closed), and say so.
    console.warn(`Stripe subscription with unknown status: ${sub.status}`);
    return null;
  }
  const status = sub.status as SubscriptionStatus;
  // The plan is the highest tier among the items' prices; the period
  // sits on the items in current API versions.
  let best: { priceId: string | null; plan: PaidTier | null } | null = null;
  let start: number | null = null;
  let end: number | null = null;
  for (const item of sub.items?.data ?? []) {
    const id = (typeof item.price === "string" ? item.price : item.price?.id) ??
      null;
    const plan = tierOfPrice(billing.config.prices, id);
    if (best === null || outranks(plan, best.plan)) {
      best = { priceId: id, plan };
    }
    if (typeof item.current_period_start === "number") {
      start = Math.min(start ?? Infinity, item.current_period_start * 1000);
    }
    if (typeof item.current_period_end === "number") {
      end = Math.max(end ?? 0, item.current_period_end * 1000);
    }
  }
  const card = cardOf(sub.default_payment_method);
  return {
    stripeSubscriptionId: sub.id,
    status,
    priceId: best?.priceId ?? null,
    plan: best?.plan ?? null,
    currentPeriodStart: start,
    currentPeriodEnd: end,
    // The portal may cancel "at period end" either way: by the flag, or
    // by a cancel_at date.
    cancelAtPeriodEnd: status !== "canceled" &&
      (sub.cancel_at_period_end === true || typeof sub.cancel_at === "number"),
    paymentMethodBrand: card?.brand ?? null,
    paymentMethodLast4: card?.last4 ?? null,
  };
}

/** Whether plan `a` is higher than `b` (any plan is higher than none). */
function outranks(a: PaidTier | null, b: PaidTier | null): boolean {
  if (a === null) return false;
  return b === null || (a !== b && higherTier(a, b) === a);
}

/** A card's brand and last four, when the method is an expanded card. */
function cardOf(
  method: string | Stripe.PaymentMethod | null | undefined,
): { brand: string; last4: string } | null {
  if (typeof method !== "object" || method === null) return null;
  const card = method.card;
  if (!card || !/^\d{4}$/.test(card.last4 ?? "")) return null;
  const brand = String(card.display_brand ?? card.brand ?? "card").slice(0, 32);
  return { brand, last4: card.last4 };
}
