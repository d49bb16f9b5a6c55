import { jsonOk } from "../../../lib/http/json.ts";
import { confirmAccessAction } from "../../../lib/web/account_actions.ts";
import { failureJson } from "../../../lib/web/failure_answer.ts";
import { RECENT_AUTH_MS } from "../../../lib/web/recent_auth.ts";
import { define } from "../../../utils.ts";

/**
 * Confirms who is using this session: `{ "password": "…" }`, plus
 * `"code"` (or `"recoveryCode"`) when two-factor is on. Sensitive
 * endpoints then answer for 10 minutes (`confirmedUntil`, Unix ms)
 * instead of their 403 `details.reauthenticate`.
 */
export const handler = define.handlers({
  async POST(ctx) {
    const outcome = await confirmAccessAction(ctx);
    if (!outcome.ok) return failureJson(outcome);
    return jsonOk(
      {
        confirmedUntil: outcome.authenticatedAt + RECENT_AUTH_MS,
      },
      200,
      { "cache-control": "no-store" },
    );
  },
});
