/**
 * Islet's origin rule for unsafe requests, stricter than Fresh's `csrf()`
 * (design.md, HTTP security): an `Origin`, when sent, must be allowed,
 * whatever `Sec-Fetch-Site` says; without one, or with `Origin: null`,
 * `Sec-Fetch-Site: same-origin` is needed; a request with neither is
 * refused, which fails closed for old clients.
 *
 * Why `null` with `same-origin` passes: a browser sends `Origin: null` for
 * a form posted from a page with `Referrer-Policy: no-referrer` (the Fetch
 * standard serialises the origin so), which the email-verification page
 * must send (its URL holds a token). `Sec-Fetch-Site` is set by the
 * browser alone; the other sources of `null` (sandboxed frames, `data:`
 * and `file:` pages) are never `same-origin`. Fresh's `csrf()` runs behind
 * it with the same allowed origins.
 *
 * @module
 */
import { csrf, type Middleware } from "fresh";

/** The refusal's message; API callers read it in the JSON error. */
export const ORIGIN_REFUSED =
  "Cross-site request refused (origin check failed)";

const SAFE = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * The origin check middleware. `allowed` decides whether an `Origin` may
 * send unsafe requests (see `originPolicy` in lib/config.ts). Refusals are
 * 403: JSON `{ success: false, error }` for JSON callers, plain text
 * otherwise (the app shows a page for it).
 *
 * @example
 * ```ts
 * import { App } from "fresh";
 * const app = new App().use(
 *   originCheck((origin) => origin === "https://app.example"),
 * );
 * ```
 */
export function originCheck<State>(
  allowed: (origin: string, ctx: { url: URL }) => boolean,
): Middleware<State> {
  const upstream = csrf<State>({ origin: allowed });
  return (ctx) => {
    if (SAFE.has(ctx.req.method)) return ctx.next();
    const origin = ctx.req.headers.get("origin");
    const ok = origin !== null && origin !== "null"
      ? allowed(origin, ctx)
      : ctx.req.headers.get("sec-fetch-site") === "same-origin";
    // Whatever passes here passes upstream's rule too.
    return ok ? upstream(ctx) : Promise.resolve(refused(ctx.req));
  };
}

function refused(req: Request): Response {
  const accept = req.headers.get("accept") ?? "";
  const type = req.headers.get("content-type") ?? "";
  if (
    accept.includes("application/json") || type.includes("application/json")
  ) {
    return Response.json({ success: false, error: ORIGIN_REFUSED }, {
      status: 403,
    });
  }
  return new Response(ORIGIN_REFUSED, {
    status: 403,
    headers: { "content-type": "text/plain; charset=utf-8" },
  });
}
