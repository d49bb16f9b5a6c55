import { deepStrictEqual, strictEqual } from "node:assert/strict";
import type { BillingState } from "../billing/state.ts";
import { billingView, cardWords, planWords } from "./billing_view.ts";
import { PLANS } from "../billing/plans.ts";

const PRICES = { pro: ["price_pro"], team: ["price_team"] };
const VERIFIED = { subscriptionTier: "free" as const, emailVerifiedAt: 1 };
const END = Date.UTC(2027, 2, 3, 12);

function state(
  sub: Partial<NonNullable<BillingState["subscription"]>> | null,
  extra: Partial<BillingState> = {},
): BillingState {
  return {
    plan: { tier: "pro", name: "Pro" },
    subscription: sub === null ? null : {
      status: "active",
      renewsAt: END,
      endsAt: null,
      cancelAtPeriodEnd: false,
      card: { brand: "visa", last4: "4242" },
      ...sub,
    },
    needsPaymentFix: false,
    invoicesUrl: "https://invoice.stripe.com/i/acct_1/in_1",
    hasCustomer: true,
    ...extra,
  };
}

Deno.test("billing view: Free and verified: both plans on sale offered, nothing to manage", () => {
  const view = billingView(
    VERIFIED,
    state(null, { hasCustomer: false, invoicesUrl: null }),
    PRICES,
  );
  strictEqual(view.plan.name, "Free");
  strictEqual(view.subscription, null);
  deepStrictEqual(view.offers.map((o) => o.tier), ["pro", "team"]);
  strictEqual(view.canManage, false);
  strictEqual(view.unavailable, null);
  // A plan not sold here is not offered.
  deepStrictEqual(
    billingView(VERIFIED, state(null), { pro: [], team: ["price_team"] })
      .offers.map((o) => o.tier),
    ["team"],
  );
});

Deno.test("billing view: active: status, renewal date, card, invoices; manage, no offers", () => {
  const view = billingView(
    { subscriptionTier: "pro", emailVerifiedAt: 1 },
    state({}),
    PRICES,
  );
  strictEqual(view.plan.name, "Pro");
  deepStrictEqual(view.subscription, {
    status: "active",
    statusText: "Active",
    needsPaymentFix: false,
    date: {
      label: "Renews on",
      iso: "2027-03-03T12:00:00.000Z",
      text: "Mar 3, 2027",
    },
    card: "Visa ending in 4242",
  });
  strictEqual(view.invoicesUrl, "https://invoice.stripe.com/i/acct_1/in_1");
  deepStrictEqual(view.offers, []);
  strictEqual(view.canManage, true);
});

Deno.test("billing view: canceling at the period's end says when it ends; past due asks for a fix", () => {
  const canceling = billingView(
    { subscriptionTier: "pro", emailVerifiedAt: 1 },
    state({ cancelAtPeriodEnd: true, endsAt: END, renewsAt: null }),
    PRICES,
  );
  strictEqual(canceling.subscription?.statusText, "Active; it will not renew");
  deepStrictEqual(canceling.subscription?.date, {
    label: "Ends on",
    iso: "2027-03-03T12:00:00.000Z",
    text: "Mar 3, 2027",
  });
  const late = billingView(
    { subscriptionTier: "pro", emailVerifiedAt: 1 },
    state({ status: "past_due", renewsAt: null }, { needsPaymentFix: true }),
    PRICES,
  );
  strictEqual(late.subscription?.statusText.startsWith("Payment failed"), true);
  strictEqual(late.subscription?.needsPaymentFix, true);
  deepStrictEqual(late.offers, [], "live: changed in the portal");
  strictEqual(late.canManage, true);
});

Deno.test("billing view: canceled, the plans are offered again beside the portal", () => {
  const view = billingView(
    VERIFIED,
    state({ status: "canceled", renewsAt: null }),
    PRICES,
  );
  strictEqual(view.subscription?.statusText, "Canceled");
  strictEqual(view.subscription?.date, null);
  deepStrictEqual(view.offers.map((o) => o.tier), ["pro", "team"]);
  strictEqual(view.canManage, true);
});

Deno.test("billing view: unconfirmed address: no plans, and why; billing off: says so", () => {
  const view = billingView(
    { subscriptionTier: "free", emailVerifiedAt: null },
    state(null, { hasCustomer: false }),
    PRICES,
  );
  deepStrictEqual(view.offers, []);
  strictEqual(
    view.unavailable,
    "Confirm your email address to choose a plan: open the link we sent you, or send a new one.",
  );
  const off = billingView(VERIFIED, null, null);
  strictEqual(off.unavailable, "Billing is not configured on this server.");
  deepStrictEqual(off.offers, []);
  strictEqual(off.canManage, false);
  strictEqual(off.plan.name, "Free");
});

Deno.test("billing view: only an http(s) invoice link is shown", () => {
  for (const bad of ["javascript:alert(1)", "data:text/html,x", "not a url"]) {
    strictEqual(
      billingView(VERIFIED, state({}, { invoicesUrl: bad }), PRICES)
        .invoicesUrl,
      null,
      bad,
    );
  }
});

Deno.test("plan and card words", () => {
  deepStrictEqual(planWords(PLANS.team), {
    tier: "team",
    name: "Team",
    features: ["Reports", "Priority support", "Team members"],
    limits: "Up to 500 projects and 25 members",
  });
  strictEqual(planWords(PLANS.free).limits, "Up to 3 projects and 1 member");
  strictEqual(
    cardWords({ brand: "amex", last4: "0005" }),
    "American Express ending in 0005",
  );
  strictEqual(
    cardWords({ brand: "link_pay", last4: "0005" }),
    "Link pay ending in 0005",
  );
  strictEqual(
    cardWords({ brand: "__proto__", last4: "1234" }),
    "Proto ending in 1234",
  );
});
