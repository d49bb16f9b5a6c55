import { jsonOk } from "../../../../lib/http/json.ts";
import { confirmEmailChangeAction } from "../../../../lib/web/account_actions.ts";
import { failureJson } from "../../../../lib/web/failure_answer.ts";
import { define } from "../../../../utils.ts";

/** Applies an email change with its confirmation token. */
export const handler = define.handlers({
  async POST(ctx) {
    const outcome = await confirmEmailChangeAction(ctx);
    if (!outcome.ok) return failureJson(outcome);
    return jsonOk({ email: outcome.user.email });
  },
});
