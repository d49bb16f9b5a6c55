/**
 * Every error answer under `/api/` in the JSON shape of design.md, also
 * those made before or outside a route handler: the CSRF refusal for a
 * client that did not ask for JSON (403), a method the route does not have
 * (405), a path no route serves (404), the error page (5xx).
 *
 * @module
 */
import type { Middleware } from "fresh";
import { jsonError } from "./json.ts";

/** Reason phrases for statuses whose answer was not JSON. */
const MESSAGES: Record<number, string> = {
  400: "Bad request",
  401: "Sign in to continue",
  403: "Forbidden",
  404: "Not found",
  405: "Method not allowed",
  413: "Request body too large",
  415: "Unsupported content type",
  429: "Too many requests",
};

/** Response headers that describe the old body, not the answer. */
const BODY_HEADERS = ["content-type", "content-length", "content-encoding"];

/**
 * Rewrites a non-JSON error answer (status ≥ 400) for a path under
 * `prefix` as `{ "success": false, "error": "…" }`, keeping its status and
 * other headers (`Allow`, `Retry-After`, `Set-Cookie`). A short plain-text
 * body becomes the message; anything else (an HTML page) is replaced by the
 * reason phrase.
 *
 * @example
 * ```ts
 * import { App } from "fresh";
 * const app = new App().use(apiJsonErrors("/api/"));
 * ```
 */
export function apiJsonErrors<State>(prefix = "/api/"): Middleware<State> {
  return async (ctx) => {
    const res = await ctx.next();
    if (res.status < 400 || !ctx.url.pathname.startsWith(prefix)) return res;
    const type = res.headers.get("content-type") ?? "";
    if (type.includes("application/json")) return res;
    let message = res.status >= 500
      ? "Internal server error"
      : MESSAGES[res.status] ?? "Request failed";
    if (res.status < 500 && type.startsWith("text/plain")) {
      const text = (await res.text()).trim();
      if (text.length > 0 && text.length <= 200) message = text;
    } else {
      await res.body?.cancel();
    }
    const headers = new Headers(res.headers);
    for (const name of BODY_HEADERS) headers.delete(name);
    const json = jsonError(res.status, message);
    for (const [name, value] of json.headers) headers.set(name, value);
    return new Response(json.body, { status: res.status, headers });
  };
}
