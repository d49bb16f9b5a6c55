import { jsonOk } from "../../../../lib/http/json.ts";
import { forgotPasswordAction } from "../../../../lib/web/account_actions.ts";
import { failureJson } from "../../../../lib/web/failure_answer.ts";
import { define } from "../../../../utils.ts";

/** Asks for a reset link; the same 202 for known and unknown addresses. */
export const handler = define.handlers({
  async POST(ctx) {
    const outcome = await forgotPasswordAction(ctx);
    if (!outcome.ok) return failureJson(outcome);
    return jsonOk({
      message:
        `If an account uses ${outcome.email}, we sent it a link to choose a new password. The link works once, within one hour.`,
    }, 202);
  },
});
