/**
 * Entitlements, decided on the server: "may this account use feature X,
 * how much of limit Y may it have". The answer comes from the plan tier on
 * the user row, which only Stripe's own state changes (the webhook and
 * `billing:sync` write it), never from anything a browser sends. Islands
 * receive the answer as props; they never decide it.
 *
 * @module
 */
import type { User } from "../db/users.ts";
import { type Feature, type Limit, type Plan, PLANS } from "./plans.ts";

/** What an account may do under its plan. */
export interface Entitlements {
  /** Its plan (tier, name, features, limits). */
  plan: Plan;
  /** Whether the plan includes `feature`. */
  may(feature: Feature): boolean;
  /** How many of `limit` the plan allows. */
  limit(limit: Limit): number;
}

/**
 * The one question every gate asks: what the account's plan allows.
 *
 * @example
 * ```ts
 * import type { User } from "../db/users.ts";
 * declare const user: User;
 * const can = entitlements(user);
 * if (!can.may("pro_reports")) console.log("upgrade to see reports");
 * console.log(`up to ${can.limit("projects")} projects`);
 * ```
 */
export function entitlements(
  user: Pick<User, "subscriptionTier">,
): Entitlements {
  // An unknown tier (a newer version's, read by an older one) grants what
  // free does: fail closed.
  const plan = Object.hasOwn(PLANS, user.subscriptionTier)
    ? PLANS[user.subscriptionTier]
    : PLANS.free;
  return {
    plan,
    may: (feature) => plan.features.includes(feature),
    limit: (limit) => plan.limits[limit],
  };
}

/** Where an account goes to upgrade: the billing settings page. */
export const UPGRADE_PATH = "/settings/billing";

/**
 * The cheapest plan that includes `feature`, for an upgrade message
 * ("… is part of the Pro plan").
 *
 * @example
 * ```ts
 * cheapestPlanWith("pro_reports").name; // "Pro"
 * cheapestPlanWith("team_members").name; // "Team"
 * ```
 */
export function cheapestPlanWith(feature: Feature): Plan {
  return [PLANS.free, PLANS.pro, PLANS.team].find((p) =>
    p.features.includes(feature)
  )!;
}
