/**
 * Content-Security-Policy middleware, optionally with a per-request nonce
 * that the renderer puts on every `<script>` it emits.
 *
 * @module
 */
import type { Middleware } from "../types.ts";

/** Options of {@linkcode csp}. */
export interface CSPOptions {
  /** Send `Content-Security-Policy-Report-Only` instead of enforcing. */
  reportOnly?: boolean;
  /** Adds `report-uri` and `report-to` for this endpoint. */
  reportTo?: string;
  /**
   * Directives that replace the default ones of the same name (or are
   * added): `["img-src 'self' data:", "form-action 'self' https://pay.example"]`.
   */
  csp?: string[];
  /**
   * Put a fresh nonce on every script the renderer emits and allow it in
   * script-src instead of 'unsafe-inline'. A response without such scripts
   * (JSON, redirects, pages without islands) gets script-src with neither.
   */
  useNonce?: boolean;
}

// Inline scripts must be allowed by default: the island boot script is
// one. With `useNonce`, script-src trades 'unsafe-inline' for the nonce.
const DEFAULTS = [
  "default-src 'self'",
  "script-src 'self' 'unsafe-inline'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "media-src 'self'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
];

/**
 * Sets a Content-Security-Policy on every response.
 *
 * @example
 * ```ts
 * import { App } from "fresh";
 * const app = new App().use(csp({ useNonce: true, csp: ["img-src 'self' data:"] }));
 * ```
 */
export function csp<State>(options: CSPOptions = {}): Middleware<State> {
  const directives = new Map<string, string>();
  for (const d of [...DEFAULTS, ...(options.csp ?? [])]) {
    const text = d.trim().replace(/;+$/, "");
    if (text === "") continue;
    directives.set(text.split(/\s+/, 1)[0].toLowerCase(), text);
  }
  if (options.reportTo !== undefined) {
    directives.set("report-uri", `report-uri ${options.reportTo}`);
    directives.set("report-to", "report-to csp-endpoint");
  }
  const header = options.reportOnly
    ? "content-security-policy-report-only"
    : "content-security-policy";
  const fixed = [...directives.values()].join("; ");
  // With a nonce the header is `before` + script-src + nonce + `after`, so
  // the directives keep their order. script-src always exists (DEFAULTS).
  const names = [...directives.keys()];
  const at = names.indexOf("script-src");
  const before = names.slice(0, at).map((n) => directives.get(n) + "; ")
    .join("");
  const after = names.slice(at + 1).map((n) => "; " + directives.get(n))
    .join("");
  const scriptSrc = directives.get("script-src")!
    .replace(/\s+'unsafe-inline'/gi, "");
  const useNonce = options.useNonce === true;
  // The nonce is made only when the page emits a script; a response with
  // none (JSON, redirects, static files) still never allows inline scripts.
  const withoutNonce = useNonce ? before + scriptSrc + after : fixed;
  const reporting = options.reportTo === undefined
    ? null
    : `csp-endpoint="${options.reportTo}"`;

  return async (ctx) => {
    if (useNonce) ctx.nonceEnabled = true;
    const res = await ctx.next();
    const value = useNonce && ctx.nonceUsed
      ? `${before}${scriptSrc} 'nonce-${ctx.nonce}'${after}`
      : withoutNonce;
    let out = res;
    let headers = res.headers;
    try {
      headers.set(header, value);
    } catch {
      // Headers of some responses (Response.redirect, fetch results) are immutable.
      out = new Response(res.body, res);
      headers = out.headers;
      headers.set(header, value);
    }
    if (reporting !== null) headers.set("reporting-endpoints", reporting);
    return out;
  };
}
