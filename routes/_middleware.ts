import {
  deleteSessionCookie,
  readSessionToken,
  sessionCookieName,
} from "../lib/auth/cookie.ts";
import { validateSessionToken } from "../lib/auth/session.ts";
import { readPreferences } from "../lib/db/preferences.ts";
import { clearShownBanner, readBanner } from "../lib/web/page_banner.ts";
import { SIGNED_OUT } from "../lib/web/state.ts";
import { define } from "../utils.ts";

/**
 * Puts who is asking on `ctx.state.auth` (signed in, signed out, or a
 * sign-in waiting for its code), and the stored theme and any page-wide
 * notice of a signed-in person on `ctx.state`; clears a session cookie
 * that no longer names a live session.
 */
export default define.middleware(async (ctx) => {
  const { services } = ctx.state;
  const secure = services.config.secureCookies;
  ctx.state.auth = SIGNED_OUT;
  const token = readSessionToken(ctx.req, secure);
  if (token === null) return ctx.next();

  const found = await validateSessionToken(services.sessions, token, {
    userAgent: ctx.req.headers.get("user-agent"),
  });
  if (found !== null && found.session.secondFactorPending) {
    // Signed out to everything but the code page and sign-out, which
    // look for this kind; no stored theme either (not signed in yet).
    ctx.state.auth = {
      kind: "second_factor_pending",
      user: found.user,
      session: found.session,
    };
    return ctx.next();
  }
  if (found !== null) {
    ctx.state.auth = {
      kind: "signed_in",
      user: found.user,
      session: found.session,
    };
    // A signed-in person's pages wear the theme stored with the account
    // (the cookie is the visitor's); JSON answers have no theme to read.
    if (ctx.url.pathname.startsWith("/api/")) return ctx.next();
    const { db, rows } = services.sessions;
    ctx.state.theme = (await readPreferences(db, rows, found.user.id)).theme;
    // The failed-payment banner: a column of the user row, no lookup
    // (lib/billing/payment_notice.ts).
    if (services.billing !== null) {
      ctx.state.paymentProblem = found.user.paymentProblem;
    }
    // A notice for whichever page comes first (lib/web/page_banner.ts).
    ctx.state.banner = readBanner(ctx.req, secure);
    if (ctx.state.banner === null) return ctx.next();
    return clearShownBanner(await ctx.next(), secure);
  }
  const res = await ctx.next();
  // Other cookies may be set (a flash notice); only a new session cookie
  // from this answer (a fresh sign-in) makes the clearing moot.
  const name = sessionCookieName(secure);
  if (!res.headers.getSetCookie().some((c) => c.startsWith(`${name}=`))) {
    try {
      res.headers.append("set-cookie", deleteSessionCookie(secure));
    } catch {
      // Immutable headers (a redirect made with Response.redirect): leave it.
    }
  }
  return res;
});
