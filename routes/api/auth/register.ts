import { jsonOk } from "../../../lib/http/json.ts";
import { signUpAction } from "../../../lib/web/auth_actions.ts";
import { failureJson } from "../../../lib/web/failure_answer.ts";
import { userJson } from "../../../lib/web/user_json.ts";
import { define } from "../../../utils.ts";

/** Creates an account and signs it in. JSON or form-encoded input. */
export const handler = define.handlers({
  async POST(ctx) {
    const outcome = await signUpAction(ctx);
    if (!outcome.ok) return failureJson(outcome);
    return jsonOk({ user: userJson(outcome.user) }, 201, {
      "set-cookie": outcome.cookie,
    });
  },
});
