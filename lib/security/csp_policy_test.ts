import { deepStrictEqual, ok, strictEqual } from "node:assert/strict";
import { loadConfig } from "../config.ts";
import {
  CSP_DIRECTIVES,
  cspDirectives,
  formActionSources,
  STRIPE_PAGE_ORIGINS,
} from "./csp_policy.ts";

const STRIPE_ENV = {
  STRIPE_SECRET_KEY: "sk_test_1",
  STRIPE_WEBHOOK_SECRET: "whsec_1",
  STRIPE_PRICE_PRO: "price_1",
};

function formAction(directives: string[]): string {
  const found = directives.filter((d) => d.startsWith("form-action "));
  strictEqual(found.length, 1, "one form-action directive");
  return found[0];
}

Deno.test("CSP form-action: this site and Stripe's hosted pages, with or without billing", () => {
  const expected =
    "form-action 'self' https://checkout.stripe.com https://billing.stripe.com";
  strictEqual(formAction(cspDirectives(loadConfig({}))), expected);
  strictEqual(formAction(cspDirectives(loadConfig(STRIPE_ENV))), expected);
  deepStrictEqual(STRIPE_PAGE_ORIGINS, [
    "https://checkout.stripe.com",
    "https://billing.stripe.com",
  ]);
});

Deno.test("CSP form-action: STRIPE_API_URL's origin is added (a stand-in serves its checkout and portal pages there)", () => {
  const config = loadConfig({
    ...STRIPE_ENV,
    STRIPE_API_URL: "http://127.0.0.1:12111",
  });
  strictEqual(
    formAction(cspDirectives(config)),
    "form-action 'self' https://checkout.stripe.com https://billing.stripe.com http://127.0.0.1:12111",
  );
  // Stripe itself, named: no duplicate.
  deepStrictEqual(
    formActionSources({ apiUrl: new URL("https://checkout.stripe.com/") }),
    ["'self'", ...STRIPE_PAGE_ORIGINS],
  );
});

Deno.test("CSP: every other directive is design.md's, unchanged and in order", () => {
  const config = loadConfig({
    ...STRIPE_ENV,
    STRIPE_API_URL: "http://localhost:9999",
  });
  const built = cspDirectives(config);
  strictEqual(built.length, CSP_DIRECTIVES.length);
  built.forEach((d, i) => {
    if (!d.startsWith("form-action ")) strictEqual(d, CSP_DIRECTIVES[i]);
  });
  // Nothing an origin could smuggle: one directive per entry, no separator.
  for (const d of built) ok(!d.includes(";"), d);
});

Deno.test("CSP form-action: only an http(s) origin is ever added", () => {
  deepStrictEqual(
    formActionSources({ apiUrl: new URL("ftp://files.example/") }),
    ["'self'", ...STRIPE_PAGE_ORIGINS],
  );
  deepStrictEqual(
    formActionSources({ apiUrl: new URL("https://mock.example:8443") }),
    ["'self'", ...STRIPE_PAGE_ORIGINS, "https://mock.example:8443"],
  );
});
