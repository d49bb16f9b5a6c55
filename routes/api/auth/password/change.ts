import { jsonOk } from "../../../../lib/http/json.ts";
import { changePasswordAction } from "../../../../lib/web/account_actions.ts";
import { failureJson } from "../../../../lib/web/failure_answer.ts";
import { requireRecentAuth } from "../../../../lib/web/recent_auth.ts";
import { define, requireSignedIn } from "../../../../utils.ts";

/**
 * Changes the signed-in user's password (`currentPassword`,
 * `newPassword`); every other session ends. Needs a recent proof too:
 * otherwise a 403 with `details.reauthenticate`.
 */
export const handler = define.handlers({
  async POST(ctx) {
    requireSignedIn(ctx.state);
    const ask = requireRecentAuth(ctx);
    if (ask) return ask;
    const outcome = await changePasswordAction(ctx);
    if (!outcome.ok) return failureJson(outcome);
    return jsonOk({ sessionsEnded: outcome.sessionsEnded });
  },
});
