import { jsonOk } from "../../../../lib/http/json.ts";
import { changeEmailAction } from "../../../../lib/web/account_actions.ts";
import { failureJson } from "../../../../lib/web/failure_answer.ts";
import { define } from "../../../../utils.ts";

/** Asks to move the account to another address; the same 202 whether it is free or taken. */
export const handler = define.handlers({
  async POST(ctx) {
    const outcome = await changeEmailAction(ctx);
    if (!outcome.ok) return failureJson(outcome);
    return jsonOk({
      message:
        `We sent a link to ${outcome.email}. Your address changes when you open it.`,
    }, 202);
  },
});
