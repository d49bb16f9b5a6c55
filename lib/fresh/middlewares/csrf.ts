/**
 * Cross-site request forgery protection by origin checking: a request with
 * an unsafe method must come from a page of this site.
 *
 * @module
 */
import type { Context } from "../context.ts";
import type { Middleware } from "../types.ts";

/** Options of {@linkcode csrf}. */
export interface CsrfOptions {
  /**
   * The origins allowed to send unsafe requests: one, a list, or a function
   * deciding per request. Default: the request URL's own origin.
   */
  origin?:
    | string
    | string[]
    | ((origin: string, ctx: Context<unknown>) => boolean);
  /** Paths exempt from the check (e.g. a signed webhook). Exact match, or prefix ending in `*`. */
  exempt?: string[];
}

const SAFE = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * Refuses unsafe requests (POST, PUT, PATCH, DELETE, ...) whose `Origin`
 * is not allowed, with 403. Without an `Origin` header, `Sec-Fetch-Site:
 * same-origin` is accepted; a request carrying neither is refused, which
 * fails closed for old clients. JSON callers get
 * `{ "success": false, "error": "..." }`.
 *
 * @example
 * ```ts
 * import { App } from "fresh";
 * const app = new App().use(csrf({ exempt: ["/api/stripe/webhook"] }));
 * ```
 */
export function csrf<State>(options: CsrfOptions = {}): Middleware<State> {
  const allowed = options.origin;
  const exempt = options.exempt ?? [];
  const isAllowed = (origin: string, ctx: Context<State>): boolean => {
    if (typeof allowed === "function") {
      return allowed(origin, ctx as Context<unknown>);
    }
    if (typeof allowed === "string") return origin === allowed;
    if (Array.isArray(allowed)) return allowed.includes(origin);
    return origin === ctx.url.origin;
  };

  return (ctx) => {
    if (SAFE.has(ctx.req.method)) return ctx.next();
    const path = ctx.urlPathname;
    for (const e of exempt) {
      if (e.endsWith("*") ? path.startsWith(e.slice(0, -1)) : path === e) {
        return ctx.next();
      }
    }
    const origin = ctx.req.headers.get("origin");
    if (origin !== null) {
      // `Origin: null` (sandboxed frames, some redirects) is never trusted,
      // whatever Sec-Fetch-Site says.
      if (origin !== "null" && isAllowed(origin, ctx)) return ctx.next();
    } else if (ctx.req.headers.get("sec-fetch-site") === "same-origin") {
      return ctx.next();
    }
    return Promise.resolve(forbidden(ctx.req));
  };
}

function forbidden(req: Request): Response {
  const message = "Cross-site request refused (origin check failed)";
  const accept = req.headers.get("accept") ?? "";
  const type = req.headers.get("content-type") ?? "";
  if (
    accept.includes("application/json") || type.includes("application/json")
  ) {
    return Response.json({ success: false, error: message }, { status: 403 });
  }
  return new Response(message, {
    status: 403,
    headers: { "content-type": "text/plain; charset=utf-8" },
  });
}
