import { jsonOk } from "../../../../lib/http/json.ts";
import { failureJson } from "../../../../lib/web/failure_answer.ts";
import { regenerateRecoveryCodesAction } from "../../../../lib/web/two_factor_actions.ts";
import { define } from "../../../../utils.ts";

/**
 * A new set of recovery codes (no body); the old ones stop working.
 * Answers `{ recoveryCodes }`, shown this once. Needs a sign-in from the
 * last 10 minutes: otherwise 403 with `details.reauthenticate`.
 */
export const handler = define.handlers({
  async POST(ctx) {
    const outcome = await regenerateRecoveryCodesAction(ctx);
    if (outcome instanceof Response) return outcome;
    if (!outcome.ok) return failureJson(outcome);
    return jsonOk({ recoveryCodes: outcome.recoveryCodes }, 200, {
      "cache-control": "no-store",
    });
  },
});
