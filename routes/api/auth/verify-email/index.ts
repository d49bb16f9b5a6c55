import { jsonOk } from "../../../../lib/http/json.ts";
import { failureJson } from "../../../../lib/web/failure_answer.ts";
import {
  TOKEN_PAGE_HEADERS,
  verifyEmailAction,
} from "../../../../lib/web/verify_actions.ts";
import { define } from "../../../../utils.ts";

/**
 * Confirms the address a token was sent to: `{ token }` in, 200
 * `{ success: true, message: "Email confirmed" }`, or 400 with why the
 * token does not work (unknown, used, expired, another account's).
 */
export const handler = define.handlers({
  async POST(ctx) {
    const outcome = await verifyEmailAction(ctx);
    if (!outcome.ok) {
      const res = failureJson(outcome);
      res.headers.set("referrer-policy", "no-referrer");
      return res;
    }
    return jsonOk({ message: "Email confirmed" }, 200, TOKEN_PAGE_HEADERS);
  },
});
