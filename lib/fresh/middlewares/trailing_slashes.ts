/**
 * Redirects paths to one canonical form: always or never ending in `/`.
 *
 * @module
 */
import type { Middleware } from "../types.ts";

/**
 * Redirects (308, so the method and body survive) `/about/` to `/about`
 * with "never", or `/about` to `/about/` with "always". File-like paths
 * (with an extension) are left alone with "always".
 *
 * @example
 * ```ts
 * import { App } from "fresh";
 * const app = new App().use(trailingSlashes("never"));
 * ```
 */
export function trailingSlashes<State>(
  mode: "always" | "never",
): Middleware<State> {
  return (ctx) => {
    const url = ctx.url;
    const path = url.pathname;
    if (mode === "never" && path.length > 1 && path.endsWith("/")) {
      // Collapse all trailing slashes; also avoids a `//host` style location.
      const target = "/" + path.replace(/^\/+/, "").replace(/\/+$/, "");
      return Promise.resolve(redirect(target + url.search));
    }
    if (mode === "always" && !path.endsWith("/") && !/\.[^/]+$/.test(path)) {
      return Promise.resolve(
        redirect(path.replace(/^\/+/, "/") + "/" + url.search),
      );
    }
    return ctx.next();
  };
}

function redirect(location: string): Response {
  return new Response(null, { status: 308, headers: { location } });
}
