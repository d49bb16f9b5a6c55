/**
 * What the billing page shows, in words, from the server's facts: the
 * billing state (`lib/billing/state.ts`), the account and the plans on
 * sale. The page and its `BillingPanel` island render this and decide
 * nothing: which buttons exist is settled here, on the server.
 *
 * @module
 */
import { mayUse, requireVerified } from "../auth/verified.ts";
import { LIVE_STATUSES } from "../billing/checkout.ts";
import { BILLING_NOT_CONFIGURED } from "../billing/deps.ts";
import {
  PAID_TIERS,
  type PaidTier,
  type Plan,
  PLANS,
  priceOfTier,
} from "../billing/plans.ts";
import type { BillingState } from "../billing/state.ts";
import type { BillingConfig } from "../config.ts";
import type { User } from "../db/users.ts";
import { formatUtcDate } from "./date_time.ts";
import { FEATURE_NAMES } from "./entitlement.ts";

/** A plan as the page describes it. */
export interface PlanWords {
  tier: Plan["tier"];
  name: string;
  /** "Reports", "Priority support"…; empty for Free. */
  features: string[];
  /** "Up to 50 projects and 1 member". */
  limits: string;
}

/** A date the page shows: machine-readable and in words. */
export interface ShownDate {
  /** "Renews on" or "Ends on". */
  label: string;
  /** ISO 8601, for `<time datetime>`. */
  iso: string;
  /** "Mar 3, 2027" (UTC). */
  text: string;
}

/** The billing page, decided. Plain data: it is an island's props. */
export interface BillingView {
  /** The plan the account has now (from the user row, Stripe's copy). */
  plan: PlanWords;
  /** The subscription that matters, or null when there is none. */
  subscription: {
    /** Stripe's status, for tests and styles: "active", "past_due"… */
    status: string;
    /** The status in words. */
    statusText: string;
    /** A payment failed: the page says how to fix it. */
    needsPaymentFix: boolean;
    date: ShownDate | null;
    /** "Visa ending in 4242", or null. */
    card: string | null;
  } | null;
  /** The latest invoice's page at Stripe. */
  invoicesUrl: string | null;
  /** Plans to upgrade to: a checkout button each. */
  offers: PlanWords[];
  /** Whether "Manage billing" (the Customer Portal) is offered. */
  canManage: boolean;
  /**
   * Why there are no plans to choose, said on the page: billing not
   * configured, or the address not confirmed. Null otherwise.
   */
  unavailable: string | null;
}

const STATUS_TEXT: Readonly<Record<string, string>> = {
  active: "Active",
  trialing: "In a free trial",
  past_due: "Payment failed: Stripe will try again",
  unpaid: "Unpaid: the plan is on hold until a payment goes through",
  canceled: "Canceled",
  incomplete: "Waiting for the first payment",
  incomplete_expired: "Checkout was not completed",
  paused: "Paused",
};

const BRANDS: Readonly<Record<string, string>> = {
  amex: "American Express",
  american_express: "American Express",
  cartes_bancaires: "Cartes Bancaires",
  diners: "Diners Club",
  diners_club: "Diners Club",
  discover: "Discover",
  eftpos_au: "eftpos Australia",
  jcb: "JCB",
  mastercard: "Mastercard",
  unionpay: "UnionPay",
  visa: "Visa",
};

/**
 * A plan's name, features and limits in words.
 *
 * @example
 * ```ts
 * import { PLANS } from "../billing/plans.ts";
 * planWords(PLANS.pro).limits; // "Up to 50 projects and 1 member"
 * ```
 */
export function planWords(plan: Plan): PlanWords {
  const { projects, members } = plan.limits;
  return {
    tier: plan.tier,
    name: plan.name,
    features: plan.features.map((f) => FEATURE_NAMES[f]),
    limits: `Up to ${projects} ${projects === 1 ? "project" : "projects"} ` +
      `and ${members} ${members === 1 ? "member" : "members"}`,
  };
}

/**
 * A card's brand and last four in words.
 *
 * @example
 * ```ts
 * cardWords({ brand: "visa", last4: "4242" }); // "Visa ending in 4242"
 * cardWords({ brand: "link_pay", last4: "0005" }); // "Link pay ending in 0005"
 * ```
 */
export function cardWords(card: { brand: string; last4: string }): string {
  const known = Object.hasOwn(BRANDS, card.brand) ? BRANDS[card.brand] : null;
  const words = card.brand.replaceAll("_", " ").trim();
  const name = known ?? (words.replace(/^./, (c) => c.toUpperCase()) || "Card");
  return `${name} ending in ${card.last4}`;
}

/**
 * The billing page for `user`, from its billing state (null when billing
 * is not configured) and the prices on sale.
 *
 * @example
 * ```ts
 * import type { User } from "../db/users.ts";
 * declare const user: User;
 * const view = billingView(user, null, null);
 * view.unavailable; // "Billing is not configured on this server."
 * ```
 */
export function billingView(
  user: Pick<User, "subscriptionTier" | "emailVerifiedAt">,
  state: BillingState | null,
  prices: BillingConfig["prices"] | null,
): BillingView {
  const tier = Object.hasOwn(PLANS, user.subscriptionTier)
    ? user.subscriptionTier
    : "free";
  const plan = planWords(PLANS[tier]);
  if (state === null || prices === null) {
    return {
      plan,
      subscription: null,
      invoicesUrl: null,
      offers: [],
      canManage: false,
      unavailable: BILLING_NOT_CONFIGURED,
    };
  }
  const sub = state.subscription;
  const live = sub !== null && LIVE_STATUSES.includes(sub.status);
  const verified = mayUse(user, "billing");
  // A live subscription is changed in the portal (checkout would go
  // there anyway): offering plans beside it would only mislead.
  const offers = !verified || live ? [] : PAID_TIERS
    .filter((t: PaidTier) => priceOfTier(prices, t) !== null)
    .map((t) => planWords(PLANS[t]));
  return {
    plan,
    subscription: sub === null ? null : {
      status: sub.status,
      statusText: (STATUS_TEXT[sub.status] ?? sub.status) +
        (sub.endsAt !== null ? "; it will not renew" : ""),
      needsPaymentFix: state.needsPaymentFix,
      date: sub.endsAt !== null
        ? shownDate("Ends on", sub.endsAt)
        : sub.renewsAt !== null
        ? shownDate("Renews on", sub.renewsAt)
        : null,
      card: sub.card === null ? null : cardWords(sub.card),
    },
    invoicesUrl: webUrl(state.invoicesUrl),
    offers,
    canManage: state.hasCustomer,
    unavailable: verified || live
      ? null
      : requireVerified(user, "billing")!.error,
  };
}

/** `url` if it is an http(s) address (never `javascript:`), else null. */
function webUrl(url: string | null): string | null {
  if (url === null || !URL.canParse(url)) return null;
  return /^https?:$/.test(new URL(url).protocol) ? url : null;
}

function shownDate(label: string, ms: number): ShownDate {
  return { label, iso: new Date(ms).toISOString(), text: formatUtcDate(ms) };
}
