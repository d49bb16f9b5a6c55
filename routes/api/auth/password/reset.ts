import { jsonOk } from "../../../../lib/http/json.ts";
import { resetPasswordAction } from "../../../../lib/web/account_actions.ts";
import { failureJson } from "../../../../lib/web/failure_answer.ts";
import { define } from "../../../../utils.ts";

/** Sets a new password with a reset link's token; every session ends. */
export const handler = define.handlers({
  async POST(ctx) {
    const outcome = await resetPasswordAction(ctx);
    if (!outcome.ok) return failureJson(outcome);
    return jsonOk({ sessionsEnded: outcome.sessionsEnded }, 200, {
      "referrer-policy": "no-referrer",
    });
  },
});
