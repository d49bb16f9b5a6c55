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
  const all = securityHeaderList(options);
  // A page whose URL or form holds a secret (a reset link's token) says
  // `Referrer-Policy: no-referrer` itself; that stricter policy is kept,
  // and no other value a route might set replaces the default.
  const keepingReferrer = all.filter(([name]) => name !== "referrer-policy");
  return async (ctx) => {
    let res = await ctx.next();
    const list = res.headers.get("referrer-policy") === "no-referrer"
      ? keepingReferrer
      : all;
    // One `res.headers` read: each read of the getter re-checks the response.
    let headers = res.headers;
    // A page may only tighten the referrer policy, to no-referrer: a page
    // whose URL holds a token (a verification link) must not pass it on.
    const tightened = headers.get("referrer-policy") === "no-referrer";
    const apply = () => {
      for (const [name, value] of list) {
        if (tightened && name === "referrer-policy") continue;
        headers.set(name, value);
      }
    };
    try {
      apply();
    } catch {
      // Some responses (Response.redirect, fetch results) have immutable headers.
      res = new Response(res.body, res);
      headers = res.headers;
      apply();
    }
    return res;
  };
}
