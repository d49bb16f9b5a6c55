import { jsonOk } from "../../../lib/http/json.ts";
import { signUpAction } from "../../../lib/web/auth_actions.ts";
import { failureJson } from "../../../lib/web/failure_answer.ts";
import { define } from "../../../utils.ts";

/**
 * Signs up: 202 `{ success: true, message }` whether the address is new or
 * already has an account (see lib/auth/sign_up.ts); no session either way.
 * JSON or form-encoded input.
 */
export const handler = define.handlers({
  async POST(ctx) {
    const outcome = await signUpAction(ctx);
    if (!outcome.ok) return failureJson(outcome);
    return jsonOk({ message: outcome.message }, 202, {
      "cache-control": "no-store",
    });
  },
});
