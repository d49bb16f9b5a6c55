import { jsonOk } from "../../../lib/http/json.ts";
import { signInAction } from "../../../lib/web/auth_actions.ts";
import {
  SECOND_FACTOR_API,
  SECOND_FACTOR_PAGE,
} from "../../../lib/web/second_factor_paths.ts";
import { failureJson } from "../../../lib/web/failure_answer.ts";
import { userJson } from "../../../lib/web/user_json.ts";
import { define } from "../../../utils.ts";

/**
 * Signs in with email and password; a new session on every sign-in. With
 * two-factor on, that session only waits for the code: the answer says
 * so, names the code page and the endpoint that takes the code, and holds
 * no account data yet.
 */
export const handler = define.handlers({
  async POST(ctx) {
    const outcome = await signInAction(ctx);
    if (!outcome.ok) return failureJson(outcome);
    const headers = { "set-cookie": outcome.cookie };
    if (outcome.secondFactor) {
      return jsonOk(
        {
          secondFactor: true,
          next: SECOND_FACTOR_PAGE,
          endpoint: SECOND_FACTOR_API,
        },
        200,
        headers,
      );
    }
    return jsonOk(
      { secondFactor: false, user: userJson(outcome.user) },
      200,
      headers,
    );
  },
});
