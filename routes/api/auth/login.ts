import { jsonOk } from "../../../lib/http/json.ts";
import { signInAction } from "../../../lib/web/auth_actions.ts";
import { failureJson } from "../../../lib/web/failure_answer.ts";
import { userJson } from "../../../lib/web/user_json.ts";
import { define } from "../../../utils.ts";

/** Signs in with email and password; a new session on every sign-in. */
export const handler = define.handlers({
  async POST(ctx) {
    const outcome = await signInAction(ctx);
    if (!outcome.ok) return failureJson(outcome);
    return jsonOk({ user: userJson(outcome.user) }, 200, {
      "set-cookie": outcome.cookie,
    });
  },
});
