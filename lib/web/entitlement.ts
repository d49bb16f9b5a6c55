/**
 * Feature gates for routes: the signed-in account's plan decides, on the
 * server, through `entitlements` (`lib/billing/entitlements.ts`). An API
 * route refuses with 403 and the way to upgrade; a page shows the upgrade
 * message itself (see `routes/(app)/pro.tsx`).
 *
 * @module
 */
import {
  cheapestPlanWith,
  entitlements,
  UPGRADE_PATH,
} from "../billing/entitlements.ts";
import type { Feature } from "../billing/plans.ts";
import { PublicError } from "../http/public_error.ts";
import { requireSignedIn, type SignedIn, type State } from "./state.ts";

/**
 * What a refused account is told: which plan includes the feature.
 *
 * @example
 * ```ts
 * upgradeMessage("pro_reports"); // "Reports are part of the Pro plan. Upgrade to use them."
 * ```
 */
export function upgradeMessage(feature: Feature): string {
  const plan = cheapestPlanWith(feature).name;
  return `${FEATURE_NAMES[feature]} ${
    FEATURE_PLURAL[feature] ? "are" : "is"
  } part of the ${plan} plan. Upgrade to use ${
    FEATURE_PLURAL[feature] ? "them" : "it"
  }.`;
}

/** Each feature's name for people ("Reports"), as pages list them. */
export const FEATURE_NAMES: Readonly<Record<Feature, string>> = {
  pro_reports: "Reports",
  priority_support: "Priority support",
  team_members: "Team members",
};

const FEATURE_PLURAL: Record<Feature, boolean> = {
  pro_reports: true,
  priority_support: false,
  team_members: true,
};

/**
 * The signed-in account if its plan includes `feature`; otherwise throws
 * a 403 whose JSON is `{ success: false, error, details: { upgrade:
 * "/settings/billing" } }` (401 when signed out).
 *
 * @example
 * ```ts
 * import type { State } from "./state.ts";
 * declare const state: State;
 * const { user } = requireFeature(state, "pro_reports");
 * ```
 */
export function requireFeature(
  state: Pick<State, "auth">,
  feature: Feature,
): SignedIn {
  const signedIn = requireSignedIn(state);
  if (!entitlements(signedIn.user).may(feature)) {
    throw new PublicError(403, upgradeMessage(feature), {
      upgrade: UPGRADE_PATH,
    });
  }
  return signedIn;
}
