import { jsonOk } from "../../../../lib/http/json.ts";
import { failureJson } from "../../../../lib/web/failure_answer.ts";
import { resendVerificationAction } from "../../../../lib/web/verify_actions.ts";
import { define } from "../../../../utils.ts";

/**
 * Sends the signed-in account a new confirmation link: 202 `{ success,
 * message }`; 200 when the address is already confirmed (nothing sent);
 * 429 with Retry-After after 3 in 10 minutes; 401 when signed out.
 */
export const handler = define.handlers({
  async POST(ctx) {
    const outcome = await resendVerificationAction(ctx);
    if (!outcome.ok) return failureJson(outcome);
    if (outcome.alreadyVerified) {
      return jsonOk({ message: "Your email address is already confirmed." });
    }
    return jsonOk({
      message: `We sent a new confirmation link to ${outcome.email}.`,
    }, 202);
  },
});
