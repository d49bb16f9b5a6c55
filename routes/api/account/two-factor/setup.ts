import { jsonOk } from "../../../../lib/http/json.ts";
import { failureJson } from "../../../../lib/web/failure_answer.ts";
import { startTwoFactorSetupAction } from "../../../../lib/web/two_factor_actions.ts";
import { define } from "../../../../utils.ts";

/**
 * Starts setting two-factor up (no body): a new secret, not on until
 * `enable` gets a code from it. Answers `{ keyText, uri, qrSvg }`; 409
 * when two-factor is already on.
 */
export const handler = define.handlers({
  async POST(ctx) {
    const outcome = await startTwoFactorSetupAction(ctx);
    if (!outcome.ok) return failureJson(outcome);
    const { keyText, uri, qrSvg } = outcome.setup;
    return jsonOk({ keyText, uri, qrSvg }, 200, {
      "cache-control": "no-store",
    });
  },
});
