import { jsonOk } from "../../../../lib/http/json.ts";
import { failureJson } from "../../../../lib/web/failure_answer.ts";
import { disableTwoFactorAction } from "../../../../lib/web/two_factor_actions.ts";
import { define } from "../../../../utils.ts";

/**
 * Turns two-factor off (no body). Needs a sign-in from the last 10
 * minutes: otherwise 403 with `details.reauthenticate`.
 */
export const handler = define.handlers({
  async POST(ctx) {
    const outcome = await disableTwoFactorAction(ctx);
    if (outcome instanceof Response) return outcome;
    if (!outcome.ok) return failureJson(outcome);
    return jsonOk({ enabled: false });
  },
});
