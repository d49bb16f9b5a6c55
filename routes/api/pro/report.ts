import { entitlements } from "../../../lib/billing/entitlements.ts";
import { jsonOk } from "../../../lib/http/json.ts";
import { requireFeature } from "../../../lib/web/entitlement.ts";
import { failureJson } from "../../../lib/web/failure_answer.ts";
import { limitByUser } from "../../../lib/web/limit_user.ts";
import { define, requireSignedIn } from "../../../utils.ts";

/**
 * An example of a feature gated by plan: Pro and Team accounts get their
 * report; Free ones 403 with `details.upgrade` (the billing page).
 */
export const handler = define.handlers({
  async GET(ctx) {
    const { user } = requireSignedIn(ctx.state);
    const limited = await limitByUser(ctx, "api", user.id);
    if (limited) return failureJson(limited);
    requireFeature(ctx.state, "pro_reports");
    const can = entitlements(user);
    return jsonOk({
      report: {
        plan: can.plan.tier,
        limits: can.plan.limits,
        generatedAt: new Date().toISOString(),
      },
    });
  },
});
