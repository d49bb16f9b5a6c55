import { deleteSessionCookie } from "../../../lib/auth/cookie.ts";
import { jsonOk, wantsJson } from "../../../lib/http/json.ts";
import { endSession } from "../../../lib/web/auth.ts";
import { define } from "../../../utils.ts";

/**
 * Signs out: deletes the session server-side and clears the cookie. A plain
 * HTML form post is sent back to the home page.
 */
export const handler = define.handlers({
  async POST(ctx) {
    await endSession(ctx);
    const cookie = deleteSessionCookie(ctx.state.services.config.secureCookies);
    if (wantsJson(ctx.req)) return jsonOk({}, 200, { "set-cookie": cookie });
    return new Response(null, {
      status: 303,
      headers: { location: "/", "set-cookie": cookie },
    });
  },
});
