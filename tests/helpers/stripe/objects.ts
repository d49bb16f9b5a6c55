/**
 * Stripe objects for the stand-in, built from the shapes in
 * `fixtures.json` (Stripe's own examples) with the fields that matter set:
 * ids, customer, status, prices, periods, cancellation, cards, URLs.
 *
 * @module
 */
import fixtures from "./fixtures.json" with { type: "json" };

/** A Stripe object as JSON. */
// deno-lint-ignore no-explicit-any
export type StripeObject = Record<string, any>;

const SHAPES = fixtures as unknown as Record<string, StripeObject>;

/**
 * A fresh copy of one fixture shape, with `fields` set on top.
 *
 * @example
 * ```ts
 * const customer = shape("customer", { id: "cus_1", email: "a@b.c" });
 * ```
 */
export function shape(name: string, fields: StripeObject = {}): StripeObject {
  const base = SHAPES[name];
  if (base === undefined) throw new Error(`no fixture for ${name}`);
  return { ...structuredClone(base), ...fields };
}

/**
 * A Stripe-like id with `prefix` ("cus", "sub"…) and 24 random characters.
 *
 * @example
 * ```ts
 * newId("cus"); // "cus_Q3f…"
 * ```
 */
export function newId(prefix: string): string {
  const alphabet =
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  const bytes = crypto.getRandomValues(new Uint8Array(24));
  return `${prefix}_${Array.from(bytes, (b) => alphabet[b % 62]).join("")}`;
}

/** Unix seconds now, as Stripe's timestamps are. */
export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

/** 30 days, in seconds: the stand-in's billing period. */
export const PERIOD_SECONDS = 30 * 86_400;

/**
 * A subscription of `customer` to `price` in `status`, its one item
 * carrying the period (where current API versions put it).
 *
 * @example
 * ```ts
 * const sub = subscriptionObject({ customer: "cus_1", price: "price_pro", status: "active" });
 * ```
 */
export function subscriptionObject(o: {
  customer: string;
  price: string;
  status: string;
  paymentMethod?: string | null;
  periodStart?: number;
}): StripeObject {
  const id = newId("sub");
  const start = o.periodStart ?? nowSeconds();
  const item = shape("subscription_item", {
    id: newId("si"),
    created: start,
    current_period_start: start,
    current_period_end: start + PERIOD_SECONDS,
    subscription: id,
    quantity: 1,
    price: shape("price", { id: o.price, product: "prod_islet" }),
  });
  delete item.plan;
  return shape("subscription", {
    id,
    customer: o.customer,
    status: o.status,
    created: start,
    start_date: start,
    billing_cycle_anchor: start,
    cancel_at: null,
    cancel_at_period_end: false,
    canceled_at: null,
    ended_at: null,
    trial_start: null,
    trial_end: null,
    default_payment_method: o.paymentMethod ?? null,
    latest_invoice: null,
    livemode: false,
    metadata: {},
    items: {
      object: "list",
      data: [item],
      has_more: false,
      url: `/v1/subscription_items?subscription=${id}`,
    },
  });
}

/**
 * A card payment method.
 *
 * @example
 * ```ts
 * const pm = cardObject("cus_1", { brand: "visa", last4: "4242" });
 * ```
 */
export function cardObject(
  customer: string,
  card: { brand: string; last4: string },
): StripeObject {
  const base = shape("payment_method");
  return {
    ...base,
    id: newId("pm"),
    customer,
    metadata: {},
    card: {
      ...base.card,
      brand: card.brand,
      display_brand: card.brand,
      last4: card.last4,
    },
  };
}

/**
 * An invoice of a subscription.
 *
 * @example
 * ```ts
 * const invoice = invoiceObject({ customer: "cus_1", subscription: "sub_1", status: "paid", hostedBase: "http://127.0.0.1:1" });
 * ```
 */
export function invoiceObject(o: {
  customer: string;
  subscription: string;
  status: "paid" | "open";
  hostedBase: string;
  attemptCount?: number;
  nextPaymentAttempt?: number | null;
}): StripeObject {
  const id = newId("in");
  return shape("invoice", {
    id,
    customer: o.customer,
    status: o.status,
    created: nowSeconds(),
    hosted_invoice_url: `${o.hostedBase}/invoices/${id}`,
    invoice_pdf: `${o.hostedBase}/invoices/${id}/pdf`,
    attempt_count: o.attemptCount ?? 1,
    attempted: true,
    next_payment_attempt: o.nextPaymentAttempt ?? null,
    parent: {
      quote_details: null,
      subscription_details: { metadata: {}, subscription: o.subscription },
      type: "subscription_details",
    },
    subscription: o.subscription,
  });
}

/**
 * An event of `type` about `object`, as Stripe sends it.
 *
 * @example
 * ```ts
 * const event = eventObject("invoice.paid", { id: "in_1", object: "invoice", customer: "cus_1" });
 * ```
 */
export function eventObject(type: string, object: StripeObject): StripeObject {
  return shape("event", {
    id: newId("evt"),
    type,
    created: nowSeconds(),
    api_version: "2026-10-28.endive",
    livemode: false,
    pending_webhooks: 1,
    data: { object: structuredClone(object) },
  });
}
