/**
 * Security response headers that do not depend on the page (the CSP with
 * its nonce is the `csp()` middleware's job).
 *
 * @module
 */
import type { Middleware } from "fresh";

/** Options of {@linkcode securityHeaders}. */
export interface SecurityHeadersOptions {
  /** Send HSTS: only when the app is served over HTTPS. */
  hsts: boolean;
}

// Only features browsers recognise: an unknown one (such as the retired
// interest-cohort) makes Chromium log an error on every page.
const PERMISSIONS_POLICY = [
  "accelerometer=()",
  "camera=()",
  "geolocation=()",
  "gyroscope=()",
  "magnetometer=()",
  "microphone=()",
  "payment=()",
  "usb=()",
].join(", ");

/**
 * The fixed headers every response carries.
 *
 * @example
 * ```ts
 * securityHeaderList({ hsts: true }); // [["strict-transport-security", ...], ...]
 * ```
 */
export function securityHeaderList(
  options: SecurityHeadersOptions,
): [string, string][] {
  const list: [string, string][] = [
    ["x-content-type-options", "nosniff"],
    ["referrer-policy", "strict-origin-when-cross-origin"],
    ["x-frame-options", "DENY"],
    ["permissions-policy", PERMISSIONS_POLICY],
    ["cross-origin-opener-policy", "same-origin"],
  ];
  if (options.hsts) {
    list.push([
      "strict-transport-security",
      "max-age=63072000; includeSubDomains",
    ]);
  }
  return list;
}

/** Referrer policies a route may set instead of the default. */
const STRICTER_REFERRER = new Set(["no-referrer", "same-origin"]);

/**
 * Adds the security headers of design.md to every response, error pages
 * and static files included.
 *
 * @example
 * ```ts
 * import { App } from "fresh";
 * import { loadConfig } from "../config.ts";
 * const config = loadConfig();
 * const app = new App().use(securityHeaders({ hsts: config.secureCookies }));
 * ```
 */
export function securityHeaders<State>(
  options: SecurityHeadersOptions,
): Middleware<State> {
  const list = securityHeaderList(options);
  // A page whose address holds a secret (a token in an emailed link) may
  // send a stricter Referrer-Policy of its own; that is kept.
  const apply = (headers: Headers) => {
    for (const [name, value] of list) {
      if (
        name === "referrer-policy" &&
        STRICTER_REFERRER.has(headers.get(name) ?? "")
      ) continue;
      headers.set(name, value);
    }
  };
  return async (ctx) => {
    let res = await ctx.next();
    try {
      apply(res.headers);
    } catch {
      // Some responses (Response.redirect, fetch results) have immutable headers.
      res = new Response(res.body, res);
      apply(res.headers);
    }
    return res;
  };
}
