import { jsonOk } from "../../../../lib/http/json.ts";
import { changeEmailAction } from "../../../../lib/web/account_actions.ts";
import { failureJson } from "../../../../lib/web/failure_answer.ts";
import { requireRecentAuth } from "../../../../lib/web/recent_auth.ts";
import { define, requireSignedIn } from "../../../../utils.ts";

/**
 * Asks to move the account to another address (`{ "email": "…" }`); the
 * same 202 whether it is free or taken. Needs a recent proof: otherwise a
 * 403 whose `details.reauthenticate` names the endpoint that takes it.
 */
export const handler = define.handlers({
  async POST(ctx) {
    requireSignedIn(ctx.state);
    const ask = requireRecentAuth(ctx);
    if (ask) return ask;
    const outcome = await changeEmailAction(ctx);
    if (!outcome.ok) return failureJson(outcome);
    return jsonOk({
      message:
        `We sent a link to ${outcome.email}. Your address changes when you open it.`,
    }, 202);
  },
});
