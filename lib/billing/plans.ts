/**
 * The plans: what each subscription tier may use and how much. The tier
 * is stored on the user row (`users.subscription_tier`, written only from
 * Stripe's state by the webhook and `billing:sync`); which Stripe prices
 * sell which tier is configuration (`STRIPE_PRICE_PRO`,
 * `STRIPE_PRICE_TEAM`), what a tier includes is this table.
 *
 * Decision: features and limits live in code, not in a JSON setting. Code
 * that gates asks for a feature by name, so a misspelt name fails
 * type-checking instead of quietly refusing everyone; and changing what a
 * plan includes is a product change that deserves review and a test.
 *
 * @module
 */
import type { BillingConfig } from "../config.ts";
import type { SubscriptionTier } from "../db/users.ts";

/** What a plan may use: a closed list, so a gate cannot misspell one. */
export const FEATURES = [
  "pro_reports",
  "priority_support",
  "team_members",
] as const;
/** One feature. */
export type Feature = typeof FEATURES[number];

/** What a plan may have a number of. */
export const LIMITS = ["projects", "members"] as const;
/** One limit. */
export type Limit = typeof LIMITS[number];

/** A plan as the pages show it and the gates read it. */
export interface Plan {
  tier: SubscriptionTier;
  /** Its name for people: "Free", "Pro", "Team". */
  name: string;
  features: readonly Feature[];
  limits: Readonly<Record<Limit, number>>;
}

/** Every tier's plan. */
export const PLANS: Readonly<Record<SubscriptionTier, Plan>> = {
  free: {
    tier: "free",
    name: "Free",
    features: [],
    limits: { projects: 3, members: 1 },
  },
  pro: {
    tier: "pro",
    name: "Pro",
    features: ["pro_reports", "priority_support"],
    limits: { projects: 50, members: 1 },
  },
  team: {
    tier: "team",
    name: "Team",
    features: ["pro_reports", "priority_support", "team_members"],
    limits: { projects: 500, members: 25 },
  },
};

/** The tiers that are sold (every tier but free). */
export type PaidTier = Exclude<SubscriptionTier, "free">;

/** The paid tiers, cheapest first: also the order that decides between two subscriptions. */
export const PAID_TIERS: readonly PaidTier[] = ["pro", "team"];

/**
 * The tier a Stripe price sells, or null for a price this configuration
 * does not know (it then grants nothing).
 *
 * @example
 * ```ts
 * const prices = { pro: ["price_pro_monthly", "price_pro_yearly"], team: ["price_team"] };
 * tierOfPrice(prices, "price_pro_yearly"); // "pro"
 * tierOfPrice(prices, "price_other"); // null
 * ```
 */
export function tierOfPrice(
  prices: BillingConfig["prices"],
  priceId: string | null,
): PaidTier | null {
  if (priceId === null) return null;
  for (const tier of PAID_TIERS) {
    if (prices[tier].includes(priceId)) return tier;
  }
  return null;
}

/**
 * The price checkout sells for `tier` (the first configured), or null
 * when the tier is not sold here.
 *
 * @example
 * ```ts
 * priceOfTier({ pro: ["price_pro"], team: [] }, "pro"); // "price_pro"
 * priceOfTier({ pro: ["price_pro"], team: [] }, "team"); // null
 * ```
 */
export function priceOfTier(
  prices: BillingConfig["prices"],
  tier: PaidTier,
): string | null {
  return prices[tier][0] ?? null;
}

/**
 * Whether `value` names a paid tier (for input from a form or JSON).
 *
 * @example
 * ```ts
 * isPaidTier("pro"); // true
 * isPaidTier("free"); // false
 * isPaidTier("__proto__"); // false
 * ```
 */
export function isPaidTier(value: unknown): value is PaidTier {
  return typeof value === "string" &&
    (PAID_TIERS as readonly string[]).includes(value);
}

/**
 * The higher of two tiers (free < pro < team).
 *
 * @example
 * ```ts
 * higherTier("free", "pro"); // "pro"
 * higherTier("team", "pro"); // "team"
 * ```
 */
export function higherTier(
  a: SubscriptionTier,
  b: SubscriptionTier,
): SubscriptionTier {
  const rank = (t: SubscriptionTier) => t === "free" ? 0 : t === "pro" ? 1 : 2;
  return rank(b) > rank(a) ? b : a;
}
