import { jsonOk } from "../../../lib/http/json.ts";
import { notMeAction } from "../../../lib/web/account_data_actions.ts";
import { failureJson } from "../../../lib/web/failure_answer.ts";
import { define } from "../../../utils.ts";

/**
 * Uses a "this wasn't me" token from a security notice:
 * `{ "token": "…" }` ends every session of its account. No session needed.
 */
export const handler = define.handlers({
  async POST(ctx) {
    const outcome = await notMeAction(ctx);
    if (!outcome.ok) return failureJson(outcome);
    return jsonOk({ ended: outcome.ended });
  },
});
