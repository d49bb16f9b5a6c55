import { jsonOk } from "../../../lib/http/json.ts";
import { requireUser } from "../../../lib/web/auth.ts";
import { userJson } from "../../../lib/web/user_json.ts";
import { define } from "../../../utils.ts";

/** The signed-in user, or 401. */
export const handler = define.handlers({
  GET(ctx) {
    const denied = requireUser(ctx);
    if (denied) return denied;
    return jsonOk({ user: userJson(ctx.state.user!) }, 200, {
      "cache-control": "no-store",
    });
  },
});
