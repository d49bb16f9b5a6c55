import { deleteSessionCookie } from "../../../lib/auth/cookie.ts";
import { jsonOk } from "../../../lib/http/json.ts";
import { deleteAccountAction } from "../../../lib/web/account_data_actions.ts";
import { failureJson } from "../../../lib/web/failure_answer.ts";
import { define } from "../../../utils.ts";

/**
 * Deletes the signed-in account: `{ "password": "…" }` (or, for an
 * account without a password, `{ "email": "<its address>" }`). Every
 * session ends; this one's cookie goes.
 */
export const handler = define.handlers({
  async DELETE(ctx) {
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
