import { jsonOk } from "../../../../lib/http/json.ts";
import { failureJson } from "../../../../lib/web/failure_answer.ts";
import { twoFactorStatusAction } from "../../../../lib/web/two_factor_actions.ts";
import { define } from "../../../../utils.ts";

/**
 * The signed-in account's two-factor status:
 * `{ enabled, recoveryCodesLeft, available }` (`available` is false when
 * the server has no encryption key, so two-factor cannot be turned on).
 */
export const handler = define.handlers({
  async GET(ctx) {
    const outcome = await twoFactorStatusAction(ctx);
    if (!outcome.ok) return failureJson(outcome);
    const { enabled, recoveryCodesLeft, available } = outcome;
    return jsonOk({ enabled, recoveryCodesLeft, available }, 200, {
      "cache-control": "no-store",
    });
  },
});
