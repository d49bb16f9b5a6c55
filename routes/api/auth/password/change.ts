import { jsonOk } from "../../../../lib/http/json.ts";
import { changePasswordAction } from "../../../../lib/web/account_actions.ts";
import { failureJson } from "../../../../lib/web/failure_answer.ts";
import { define } from "../../../../utils.ts";

/** Changes the signed-in user's password; every other session ends. */
export const handler = define.handlers({
  async POST(ctx) {
    const outcome = await changePasswordAction(ctx);
    if (!outcome.ok) return failureJson(outcome);
    return jsonOk({ sessionsEnded: outcome.sessionsEnded });
  },
});
