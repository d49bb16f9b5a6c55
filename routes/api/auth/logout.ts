import { deleteSessionCookie } from "../../../lib/auth/cookie.ts";
import { jsonOk, wantsJson } from "../../../lib/http/json.ts";
import { endSession } from "../../../lib/web/auth.ts";
import { flashCookie } from "../../../lib/web/flash.ts";
import { define } from "../../../utils.ts";

/**
 * Signs out: deletes the session server-side and clears the cookie. A plain
 * HTML form post lands on the sign-in page, which says it is done.
 */
export const handler = define.handlers({
  async POST(ctx) {
    await endSession(ctx);
    const secure = ctx.state.services.config.secureCookies;
    const cookie = deleteSessionCookie(secure);
    if (wantsJson(ctx.req)) return jsonOk({}, 200, { "set-cookie": cookie });
    const headers = new Headers({ location: "/login", "set-cookie": cookie });
    headers.append("set-cookie", flashCookie({ kind: "signed_out" }, secure));
    return new Response(null, { status: 303, headers });
  },
});
