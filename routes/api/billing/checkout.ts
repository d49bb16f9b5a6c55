import { jsonOk } from "../../../lib/http/json.ts";
import { checkoutAction } from "../../../lib/web/billing_actions.ts";
import { failureJson } from "../../../lib/web/failure_answer.ts";
import { define } from "../../../utils.ts";

/**
 * Starts a checkout: `{ "plan": "pro" | "team" }` → `{ url, to }`, where
 * `to` is `"checkout"` (Stripe Checkout) or `"portal"` (a subscription is
 * live: change it there). 404 when billing is not configured.
 */
export const handler = define.handlers({
  async POST(ctx) {
    const outcome = await checkoutAction(ctx);
    if (!outcome.ok) return failureJson(outcome);
    return jsonOk({ url: outcome.url, to: outcome.to });
  },
});
