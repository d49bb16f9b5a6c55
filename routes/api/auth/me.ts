import { jsonOk } from "../../../lib/http/json.ts";
import { userJson } from "../../../lib/web/user_json.ts";
import { define, requireSignedIn } from "../../../utils.ts";

/** The signed-in user, or 401. */
export const handler = define.handlers({
  GET(ctx) {
    const { user } = requireSignedIn(ctx.state);
    return jsonOk({ user: userJson(user) }, 200, {
      "cache-control": "no-store",
    });
  },
});
