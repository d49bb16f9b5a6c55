import { jsonOk } from "../../../lib/http/json.ts";
import { portalAction } from "../../../lib/web/billing_actions.ts";
import { failureJson } from "../../../lib/web/failure_answer.ts";
import { define } from "../../../utils.ts";

/**
 * A Customer Portal session for the signed-in account: `{ url }`. No body.
 * 404 without a Stripe customer yet, or when billing is not configured.
 */
export const handler = define.handlers({
  async POST(ctx) {
    const outcome = await portalAction(ctx);
    if (!outcome.ok) return failureJson(outcome);
    return jsonOk({ url: outcome.url });
  },
});
