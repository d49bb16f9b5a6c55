import { jsonOk } from "../../../../lib/http/json.ts";
import { undoEmailChangeAction } from "../../../../lib/web/account_actions.ts";
import { failureJson } from "../../../../lib/web/failure_answer.ts";
import { define } from "../../../../utils.ts";

/** Undoes an email change with the old address's token; every session ends. */
export const handler = define.handlers({
  async POST(ctx) {
    const outcome = await undoEmailChangeAction(ctx);
    if (!outcome.ok) return failureJson(outcome);
    return jsonOk({ email: outcome.user.email });
  },
});
