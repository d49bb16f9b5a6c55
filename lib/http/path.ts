/**
 * Testing a request's path without parsing its URL. `ctx.url` is made on
 * first use, and routing and static files never need it; an app middleware
 * that reads `ctx.url.pathname` on every request would parse every URL.
 *
 * @module
 */

/** What {@linkcode pathIs} reads of a Fresh `Context`. */
export interface PathContext {
  readonly req: Request;
  readonly url: URL;
}

const PLAIN_PATH = /^(?:\/[A-Za-z0-9_-]+)+$|^\/$/;

/**
 * Whether the request's pathname is exactly `path` (a plain path: `/`, or
 * segments of letters, digits, `_` and `-`). Same answer as
 * `ctx.url.pathname === path`, but the URL is parsed only when the raw URL
 * contains the last segment of `path`: the URL parser rewrites a path only
 * by removing dot segments, turning `\` into `/` and percent-encoding
 * (which always adds a `%`), so a plain segment that is not in the raw text
 * cannot appear in the pathname. (The parser also drops tabs and newlines,
 * which no served request URL contains.)
 *
 * @example
 * ```ts
 * import type { Context } from "fresh";
 * declare const ctx: Context<unknown>;
 * if (pathIs(ctx, "/api/stripe/webhook")) console.log("signed by Stripe");
 * ```
 */
export function pathIs(ctx: PathContext, path: string): boolean {
  if (!PLAIN_PATH.test(path)) throw new TypeError(`not a plain path: ${path}`);
  const last = path.slice(path.lastIndexOf("/") + 1);
  return ctx.req.url.includes(last) && ctx.url.pathname === path;
}
