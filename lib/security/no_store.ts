/**
 * One rule for what caches may keep: an answer that sets or clears the
 * session cookie, or that answers a signed-in request, is `no-store`. A
 * shared cache (a proxy, a CDN) must never hand one person's session or
 * account data to another, and a browser must not show it from its cache
 * after sign-out. Static files are answered before the session is read, so
 * they keep their long-lived caching.
 *
 * @module
 */
import type { Middleware } from "fresh";
import { INSECURE_COOKIE_NAME, SECURE_COOKIE_NAME } from "../auth/cookie.ts";

const SESSION_COOKIES = [SECURE_COOKIE_NAME, INSECURE_COOKIE_NAME].map((n) =>
  `${n}=`
);

/**
 * Whether a response sets or clears a session cookie.
 *
 * @example
 * ```ts
 * const res = new Response(null, { headers: { "set-cookie": "session=abc; Path=/" } });
 * touchesSession(res.headers); // true
 * ```
 */
export function touchesSession(headers: Headers): boolean {
  // Most answers set no cookie: skip building the list for them.
  if (!headers.has("set-cookie")) return false;
  return headers.getSetCookie().some((line) =>
    SESSION_COOKIES.some((prefix) => line.trimStart().startsWith(prefix))
  );
}

/**
 * Sets `Cache-Control: no-store` on every answer that sets or clears a
 * session cookie or answers a request with an auth state other than signed
 * out (`ctx.state.auth`, set by the session middleware further in). Put it before the static files.
 *
 * @example
 * ```ts
 * import { App, staticFiles } from "fresh";
 * const app = new App<{ auth?: { kind: string } }>()
 *   .use(noStoreForAccounts())
 *   .use(staticFiles());
 * ```
 */
export function noStoreForAccounts<
  State extends { auth?: { kind: string } },
>(): Middleware<State> {
  return async (ctx) => {
    const res = await ctx.next();
    // A half-finished sign-in (second factor pending) is private too.
    const kind = ctx.state.auth?.kind;
    const signedIn = kind !== undefined && kind !== "signed_out";
    if (!signedIn && !touchesSession(res.headers)) return res;
    try {
      res.headers.set("cache-control", "no-store");
      return res;
    } catch {
      // Immutable headers (Response.redirect, fetch results).
      const out = new Response(res.body, res);
      out.headers.set("cache-control", "no-store");
      return out;
    }
  };
}
