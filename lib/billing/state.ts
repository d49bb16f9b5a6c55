/**
 * What the billing page shows: the plan, the subscription's status, its
 * renewal or end date, whether it cancels at the period's end, the card,
 * and a link to the invoices. Read from Islet's copy of Stripe's state
 * (kept current by the webhook) plus the latest invoice's page from
 * Stripe, and kept in the cache (Redis, or in process) for an hour; the
 * webhook and `billing:sync` drop it whenever they write, so a change is
 * seen at once.
 *
 * @module
 */
import type { Cache } from "../cache/cache.ts";
import {
  listSubscriptions,
  type StoredSubscription,
} from "../db/account_data.ts";
import type { Queryable } from "../db/db.ts";
import type { SubscriptionTier, User } from "../db/users.ts";
import type { Billing } from "./client.ts";
import { PLANS } from "./plans.ts";

/**
 * The cache key of a user's billing state (dropped by every sync).
 *
 * @example
 * ```ts
 * billingStateKey("user-id"); // "billing:user-id"
 * ```
 */
export function billingStateKey(userId: string): string {
  return `billing:${userId}`;
}

/** How long a billing state is kept in the cache, in seconds. */
export const BILLING_STATE_TTL_SECONDS = 3600;

/** The billing page's facts about one account. Times are Unix ms. */
export interface BillingState {
  plan: { tier: SubscriptionTier; name: string };
  /** The subscription that matters most (live before ended), or null. */
  subscription: {
    status: string;
    /** The next charge, for a live subscription that renews. */
    renewsAt: number | null;
    /** When it ends, for one that cancels at the period's end. */
    endsAt: number | null;
    cancelAtPeriodEnd: boolean;
    card: { brand: string; last4: string } | null;
  } | null;
  /**
   * A payment failed and Stripe is retrying (past_due) or gave up
   * (unpaid): show the banner that links to fixing the card.
   */
  needsPaymentFix: boolean;
  /** The latest invoice's page at Stripe, or null (none, or Stripe unreachable). */
  invoicesUrl: string | null;
  /** Whether the account has a Stripe customer (the portal can open). */
  hasCustomer: boolean;
}

const RANK: Record<string, number> = {
  active: 0,
  trialing: 0,
  past_due: 0,
  unpaid: 0,
  paused: 1,
  incomplete: 1,
  canceled: 2,
  incomplete_expired: 2,
};

/**
 * The billing state of `user`, from the cache or freshly read.
 *
 * @example
 * ```ts
 * import type { User } from "../db/users.ts";
 * import type { BillingDeps } from "./sync.ts";
 * declare const deps: BillingDeps;
 * declare const user: User;
 * const state = await billingState(deps, user);
 * if (state.needsPaymentFix) console.log("show the banner");
 * ```
 */
export async function billingState(
  deps: { billing: Billing; db: Queryable; cache: Cache },
  user: Pick<User, "id" | "subscriptionTier" | "stripeCustomerId">,
): Promise<BillingState> {
  const key = billingStateKey(user.id);
  const cached = await deps.cache.get(key);
  if (cached !== null) {
    try {
      return JSON.parse(cached) as BillingState;
    } catch {
      // A value this version cannot read: read afresh below.
    }
  }
  const subs = await listSubscriptions(deps.db, user.id);
  const main = mainSubscription(subs);
  let invoicesUrl: string | null = null;
  let complete = true;
  if (user.stripeCustomerId !== null) {
    try {
      const invoices = await deps.billing.stripe.invoices.list({
        customer: user.stripeCustomerId,
        limit: 1,
      });
      invoicesUrl = invoices.data[0]?.hosted_invoice_url ?? null;
    } catch {
      // The page still shows the rest; not cached, so the link comes back.
      complete = false;
    }
  }
  const tier = user.subscriptionTier;
  const state: BillingState = {
    plan: { tier, name: PLANS[tier]?.name ?? PLANS.free.name },
    subscription: main === null ? null : {
      status: main.status,
      renewsAt: ["active", "trialing"].includes(main.status) &&
          !main.cancelAtPeriodEnd
        ? main.currentPeriodEnd
        : null,
      endsAt: main.cancelAtPeriodEnd ? main.currentPeriodEnd : null,
      cancelAtPeriodEnd: main.cancelAtPeriodEnd,
      card: main.paymentMethodBrand !== null && main.paymentMethodLast4 !== null
        ? { brand: main.paymentMethodBrand, last4: main.paymentMethodLast4 }
        : null,
    },
    needsPaymentFix: main !== null &&
      (main.status === "past_due" || main.status === "unpaid"),
    invoicesUrl,
    hasCustomer: user.stripeCustomerId !== null,
  };
  if (complete) {
    await deps.cache.set(key, JSON.stringify(state), BILLING_STATE_TTL_SECONDS);
  }
  return state;
}

/**
 * The subscription an account's billing is about: live before paused
 * before ended, then the latest period end; null without any.
 *
 * @example
 * ```ts
 * import type { StoredSubscription } from "../db/account_data.ts";
 * declare const subs: StoredSubscription[];
 * const main = mainSubscription(subs);
 * if (main?.status === "past_due") console.log("a payment failed");
 * ```
 */
export function mainSubscription<
  T extends Pick<StoredSubscription, "status" | "currentPeriodEnd">,
>(subs: readonly T[]): T | null {
  let best: T | null = null;
  for (const s of subs) {
    if (
      best === null || (RANK[s.status] ?? 3) < (RANK[best.status] ?? 3) ||
      ((RANK[s.status] ?? 3) === (RANK[best.status] ?? 3) &&
        (s.currentPeriodEnd ?? 0) > (best.currentPeriodEnd ?? 0))
    ) {
      best = s;
    }
  }
  return best;
}
