import { readSessionToken } from "../../lib/auth/cookie.ts";
import { flashCookie } from "../../lib/web/flash.ts";
import { define, isSignedIn } from "../../utils.ts";

/**
 * Pages of this group need a signed-in user; others (a sign-in still
 * waiting for its code too) are sent to sign in first. A session cookie that came along but no longer names a live
 * session (ended on another device, or expired) is said so on the sign-in
 * page; the root middleware clears that cookie.
 */
export default define.middleware((ctx) => {
  if (isSignedIn(ctx.state)) return ctx.next();
  const next = ctx.url.pathname + ctx.url.search;
  const secure = ctx.state.services.config.secureCookies;
  const headers = new Headers({
    location: `/login?next=${encodeURIComponent(next)}`,
    "cache-control": "no-store",
  });
  // A sign-in waiting for its code is treated as signed out here, but its
  // session is alive: the sign-in page offers the code page, not "you were
  // signed out".
  const pending = ctx.state.auth.kind === "second_factor_pending";
  if (!pending && readSessionToken(ctx.req, secure) !== null) {
    headers.append(
      "set-cookie",
      flashCookie({ kind: "session_expired" }, secure),
    );
  }
  return new Response(null, { status: 303, headers });
});
