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
  /** Put a fresh nonce on every script the renderer emits and allow it in script-src. */
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
 * app.use(csp({ useNonce: true, csp: ["img-src 'self' data:"] }));
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

  return async (ctx) => {
    let nonce: string | undefined;
    if (options.useNonce) {
      nonce = newNonce();
      ctx.nonce = nonce;
    }
    const res = await ctx.next();
    const value = nonce === undefined
      ? fixed
      : `${before}${scriptSrc} 'nonce-${nonce}'${after}`;
    let out = res;
    try {
      out.headers.set(header, value);
    } catch {
      // Headers of some responses (Response.redirect, fetch results) are immutable.
      out = new Response(res.body, res);
      out.headers.set(header, value);
    }
    if (options.reportTo !== undefined) {
      out.headers.set(
        "reporting-endpoints",
        `csp-endpoint="${options.reportTo}"`,
      );
    }
    return out;
  };
}

/** 128 random bits, base64: unguessable per response as CSP requires. */
function newNonce(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return btoa(String.fromCharCode(...bytes));
}
