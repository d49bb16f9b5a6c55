import { deleteSessionCookie } from "../../../lib/auth/cookie.ts";
import { jsonOk } from "../../../lib/http/json.ts";
import { deleteAccountAction } from "../../../lib/web/account_data_actions.ts";
import { failureJson } from "../../../lib/web/failure_answer.ts";
import { requireRecentAuth } from "../../../lib/web/recent_auth.ts";
import { define, requireSignedIn } from "../../../utils.ts";

/**
 * Deletes the signed-in account; no body. Needs a recent proof (otherwise
 * a 403 with `details.reauthenticate`). Every session ends; this one's
 * cookie goes.
 */
export const handler = define.handlers({
  async DELETE(ctx) {
    requireSignedIn(ctx.state);
    const ask = requireRecentAuth(ctx);
    if (ask) return ask;
    const outcome = await deleteAccountAction(ctx);
    if (!outcome.ok) return failureJson(outcome);
    return jsonOk(
      { deleted: true, sessionsEnded: outcome.sessionsEnded },
      200,
      {
        "set-cookie": deleteSessionCookie(
          ctx.state.services.config.secureCookies,
        ),
      },
    );
  },
});
