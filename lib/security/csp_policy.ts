/**
 * The Content-Security-Policy of design.md. Scripts are allowed from this
 * origin and, inline, only with the per-request nonce the `csp()`
 * middleware adds; Stripe's hosted pages are the only other form targets.
 *
 * Why Stripe is in `form-action`: the checkout and "manage billing"
 * buttons are plain form POSTs answered with a 303 to Stripe, and
 * Chromium applies `form-action` to every redirect of a form submission,
 * not only to the form's own `action`. Without Stripe's origins there the
 * browser stops at our 303 and the button does nothing.
 *
 * @module
 */
import type { Config } from "../config.ts";

/** Where Stripe Checkout and the Customer Portal live. */
export const STRIPE_PAGE_ORIGINS: readonly string[] = [
  "https://checkout.stripe.com",
  "https://billing.stripe.com",
];

/**
 * The directives for any configuration: design.md's policy, with
 * `form-action` for Stripe's own pages. {@linkcode cspDirectives} adds a
 * configured Stripe stand-in to it.
 */
export const CSP_DIRECTIVES: readonly string[] = [
  "default-src 'self'",
  // 'unsafe-inline' is replaced by the per-request nonce (and ignored by
  // browsers when a nonce is present); upstream's csp() expects it there.
  "script-src 'self' 'unsafe-inline'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "media-src 'none'",
  // No page needs <base>; an injected one would redirect every relative URL.
  "base-uri 'none'",
  "frame-ancestors 'none'",
  `form-action 'self' ${STRIPE_PAGE_ORIGINS.join(" ")}`,
];

/**
 * The origins a form (or the 303 answering it) may send the browser to:
 * this site, Stripe's hosted pages and, when `STRIPE_API_URL` points the
 * app at another Stripe (a local mock, the tests' stand-in), that host's
 * origin too, because such a host serves its checkout and portal pages
 * from there.
 *
 * @example
 * ```ts
 * formActionSources(null);
 * // ["'self'", "https://checkout.stripe.com", "https://billing.stripe.com"]
 * formActionSources({ apiUrl: new URL("http://127.0.0.1:12111") });
 * // [..., "http://127.0.0.1:12111"]
 * ```
 */
export function formActionSources(
  billing: { apiUrl: URL | undefined } | null,
): string[] {
  const sources = ["'self'", ...STRIPE_PAGE_ORIGINS];
  const api = billing?.apiUrl;
  // The origin of a parsed http(s) URL: no space, quote or semicolon can
  // reach the header through it.
  if (api !== undefined && /^https?:$/.test(api.protocol)) {
    if (!sources.includes(api.origin)) sources.push(api.origin);
  }
  return sources;
}

/**
 * The app's CSP directives for `config` (handed to `csp()` in `app.ts`).
 *
 * @example
 * ```ts
 * import { loadConfig } from "../config.ts";
 * const directives = cspDirectives(loadConfig());
 * directives.find((d) => d.startsWith("form-action"));
 * // "form-action 'self' https://checkout.stripe.com https://billing.stripe.com"
 * ```
 */
export function cspDirectives(config: Pick<Config, "billing">): string[] {
  return CSP_DIRECTIVES.map((d) =>
    d.startsWith("form-action ")
      ? `form-action ${formActionSources(config.billing).join(" ")}`
      : d
  );
}
