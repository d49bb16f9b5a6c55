/**
 * Starting a subscription: Stripe Checkout in subscription mode. The
 * Stripe customer is made first (the user id in its metadata) and stored
 * on the user, so every event about it finds its account; the success and
 * cancel URLs come back to the billing page. An account that already has
 * a live subscription is sent to the Customer Portal instead, where it
 * changes or cancels that one: a second checkout would charge twice.
 *
 * @module
 */
import { requireVerified } from "../auth/verified.ts";
import { type Failure, failure } from "../auth/outcome.ts";
import type { Queryable } from "../db/db.ts";
import type { User } from "../db/users.ts";
import { appLink } from "../email/template.ts";
import { isUnreachable } from "./client.ts";
import { readCustomerState } from "./customer_state.ts";
import { UPGRADE_PATH } from "./entitlements.ts";
import { isPaidTier, type PaidTier, PLANS, priceOfTier } from "./plans.ts";
import { openPortal } from "./portal.ts";
import type { BillingDeps } from "./sync.ts";

/** Where to send the person: Stripe's checkout page, or the portal. */
export type CheckoutResult =
  | { ok: true; url: string; to: "checkout" | "portal" }
  | Failure<"invalid" | "unverified" | "unavailable" | "not_found">;

/**
 * Statuses of a subscription that still exists for the customer to manage
 * (pay, change, cancel): checkout is refused while one does.
 */
export const LIVE_STATUSES: readonly string[] = [
  "active",
  "trialing",
  "past_due",
  "unpaid",
  "paused",
];

/** What is said when Stripe cannot be reached; nothing was charged. */
export const STRIPE_UNREACHABLE =
  "We could not reach our payment provider. Nothing was charged; please try again in a minute.";

/**
 * The URL to send `user` to for buying `plan` ("pro" or "team"): a new
 * Checkout session, or the Customer Portal when a subscription is live.
 *
 * @example
 * ```ts
 * import type { User } from "../db/users.ts";
 * import type { BillingDeps } from "./sync.ts";
 * declare const deps: BillingDeps;
 * declare const user: User;
 * const result = await startCheckout(deps, user, "pro");
 * if (result.ok) console.log(`303 to ${result.url}`);
 * ```
 */
export async function startCheckout(
  deps: BillingDeps,
  user: User,
  plan: unknown,
): Promise<CheckoutResult> {
  const unverified = requireVerified(user, "billing");
  if (unverified) return unverified;
  if (!isPaidTier(plan)) {
    return failure("invalid", "Choose a plan to buy.", {
      details: { plan: "Choose the Pro or the Team plan." },
    });
  }
  const price = priceOfTier(deps.billing.config.prices, plan);
  if (price === null) {
    return failure(
      "invalid",
      `The ${PLANS[plan].name} plan is not sold here.`,
      {
        details: { plan: "Choose another plan." },
      },
    );
  }
  try {
    const customerId = await ensureCustomer(deps, user);
    const state = await readCustomerState(deps.billing, customerId);
    if (state.subscriptions.some((s) => LIVE_STATUSES.includes(s.status))) {
      const portal = await openPortal(deps, {
        ...user,
        stripeCustomerId: customerId,
      });
      return portal.ok ? { ...portal, to: "portal" } : portal;
    }
    return {
      ok: true,
      to: "checkout",
      url: await newSession(deps, user, customerId, plan, price),
    };
  } catch (err) {
    if (isUnreachable(err)) {
      return failure("unavailable", STRIPE_UNREACHABLE, {
        retryAfterSeconds: 30,
      });
    }
    throw err;
  }
}

async function newSession(
  deps: BillingDeps,
  user: User,
  customerId: string,
  plan: PaidTier,
  price: string,
): Promise<string> {
  const session = await deps.billing.stripe.checkout.sessions.create({
    mode: "subscription",
    customer: customerId,
    line_items: [{ price, quantity: 1 }],
    client_reference_id: user.id,
    metadata: { user_id: user.id, plan },
    subscription_data: { metadata: { user_id: user.id } },
    success_url: appLink(deps.config, UPGRADE_PATH, { checkout: "done" }),
    cancel_url: appLink(deps.config, UPGRADE_PATH, { checkout: "canceled" }),
  });
  if (typeof session.url !== "string") {
    throw new Error("Stripe returned a checkout session without a URL");
  }
  return session.url;
}

/**
 * The user's Stripe customer id, made and stored first when it has none.
 * Made with an idempotency key of the user id, so two checkouts started
 * at once (or a retry after a crash between making and storing it) get
 * the same customer, and storing it twice stores the same id.
 *
 * @example
 * ```ts
 * import type { User } from "../db/users.ts";
 * import type { BillingDeps } from "./sync.ts";
 * declare const deps: BillingDeps;
 * declare const user: User;
 * const customerId = await ensureCustomer(deps, user);
 * ```
 */
export async function ensureCustomer(
  deps: BillingDeps,
  user: Pick<User, "id" | "email">,
): Promise<string> {
  const stored = await storedCustomer(deps.db, user.id);
  if (stored !== null) return stored;
  const customer = await deps.billing.stripe.customers.create({
    email: user.email,
    metadata: { user_id: user.id },
  }, { idempotencyKey: `islet-customer-${user.id}` });
  await deps.db.run(
    `UPDATE users SET stripe_customer_id = ?, updated_at = ?
     WHERE id = ? AND stripe_customer_id IS NULL`,
    [customer.id, Date.now(), user.id],
  );
  return (await storedCustomer(deps.db, user.id)) ?? customer.id;
}

async function storedCustomer(
  db: Queryable,
  userId: string,
): Promise<string | null> {
  const row = await db.get<{ stripe_customer_id: string | null }>(
    "SELECT stripe_customer_id FROM users WHERE id = ?",
    [userId],
  );
  return row?.stripe_customer_id ?? null;
}
