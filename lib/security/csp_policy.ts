/**
 * The Content-Security-Policy of design.md. Scripts are allowed from this
 * origin and, inline, only with the per-request nonce the `csp()`
 * middleware adds; Stripe's hosted pages are the only other form targets.
 *
 * @module
 */
export const CSP_DIRECTIVES: string[] = [
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
  "form-action 'self' https://checkout.stripe.com https://billing.stripe.com",
];
