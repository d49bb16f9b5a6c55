/**
 * Cross-site request forgery protection by origin checking, with upstream
 * Fresh 2's rules: a request with an unsafe method must not come from
 * another site, as the browser tells through `Sec-Fetch-Site` or `Origin`.
 *
 * @module
 */
import type { Context } from "../context.ts";
import { HttpError } from "../error.ts";
import type { Middleware } from "../types.ts";

/** Options of {@linkcode csrf}. */
// deno-lint-ignore no-explicit-any
export interface CsrfOptions<State = any> {
  /**
   * The origins allowed to send unsafe requests: one, a list, or a function
   * deciding per request. Default: the request URL's own origin.
   */
  origin?:
    | string
    | string[]
    | ((origin: string, ctx: Context<State>) => boolean);
}

const SAFE = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * Refuses unsafe requests (POST, PUT, PATCH, DELETE, ...) made from another
 * site by throwing `HttpError(403)`:
 *
 * - with `Sec-Fetch-Site`, `same-origin` and `none` (typed by the user)
 *   pass, anything else only with an allowed `Origin`;
 * - without it, an `Origin` must be allowed;
 * - a request carrying neither header is not from a browser page and
 *   passes (non-browser clients cannot be forged into sending it).
 *
 * An app wanting a stricter rule (refusing requests with neither header,
 * say) writes a middleware of its own in front of this one.
 *
 * @example
 * ```ts
 * import { App } from "fresh";
 * const app = new App().use(csrf({ origin: "https://app.example" }));
 * ```
 */
export function csrf<State>(
  options: CsrfOptions<State> = {},
): Middleware<State> {
  const allowed = options.origin;
  const isAllowed = (origin: string | null, ctx: Context<State>): boolean => {
    if (origin === null) return false;
    if (typeof allowed === "function") return allowed(origin, ctx);
    if (typeof allowed === "string") return origin === allowed;
    if (Array.isArray(allowed)) return allowed.includes(origin);
    return origin === ctx.url.origin;
  };

  return (ctx) => {
    if (SAFE.has(ctx.req.method)) return ctx.next();
    const site = ctx.req.headers.get("sec-fetch-site");
    const origin = ctx.req.headers.get("origin");
    if (site !== null) {
      if (site === "same-origin" || site === "none" || isAllowed(origin, ctx)) {
        return ctx.next();
      }
      throw new HttpError(403);
    }
    if (origin === null || isAllowed(origin, ctx)) return ctx.next();
    throw new HttpError(403);
  };
}
