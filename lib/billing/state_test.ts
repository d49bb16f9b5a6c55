import { deepStrictEqual, strictEqual } from "node:assert/strict";
import { dbTest } from "../db/testing.ts";
import { getUserById } from "../db/users.ts";
import { billingState } from "./state.ts";
import { syncCustomer } from "./sync.ts";
import { withBilling } from "./testing.ts";

const INVOICES = /^GET \/v1\/invoices$/;

dbTest(
  "billing state: plan, status, renewal, card and invoice link; cached for the hour, dropped when a sync writes",
  async (db) => {
    await withBilling(db, async ({ deps, stripe, customer }) => {
      const made = await customer();
      const sub = stripe.addSubscription(made.stripeCustomerId, {
        tier: "pro",
        card: { brand: "amex", last4: "0005" },
      });
      await syncCustomer(deps, {
        id: made.id,
        customerId: made.stripeCustomerId,
      });
      const user = (await getUserById(db, made.id))!;
      const state = await billingState(deps, user);
      const end = sub.items.data[0].current_period_end * 1000;
      deepStrictEqual(state, {
        plan: { tier: "pro", name: "Pro" },
        subscription: {
          status: "active",
          renewsAt: end,
          endsAt: null,
          cancelAtPeriodEnd: false,
          card: { brand: "amex", last4: "0005" },
        },
        needsPaymentFix: false,
        invoicesUrl:
          stripe.invoices.get(sub.latest_invoice)!.hosted_invoice_url,
        hasCustomer: true,
      });
      deepStrictEqual(await billingState(deps, user), state);
      strictEqual(stripe.count(INVOICES), 1, "the second came from the cache");

      stripe.updateSubscription(sub.id, { cancelAtPeriodEnd: true });
      await syncCustomer(deps, {
        id: made.id,
        customerId: made.stripeCustomerId,
      });
      const after = await billingState(deps, user);
      strictEqual(after.subscription?.cancelAtPeriodEnd, true);
      strictEqual(after.subscription?.endsAt, end);
      strictEqual(after.subscription?.renewsAt, null);
      strictEqual(stripe.count(INVOICES), 2);
    });
  },
);

dbTest(
  "billing state: past due asks for the card to be fixed; Stripe away leaves out the invoice link and is not cached",
  async (db) => {
    await withBilling(db, async ({ deps, stripe, customer }) => {
      const made = await customer();
      const sub = stripe.addSubscription(made.stripeCustomerId);
      stripe.updateSubscription(sub.id, { status: "past_due" });
      await syncCustomer(deps, {
        id: made.id,
        customerId: made.stripeCustomerId,
      });
      const user = (await getUserById(db, made.id))!;
      stripe.failNext(2, { path: /^\/v1\/invoices$/ });
      const state = await billingState(deps, user);
      strictEqual(state.needsPaymentFix, true);
      strictEqual(state.plan.tier, "pro");
      strictEqual(state.invoicesUrl, null);
      strictEqual((await billingState(deps, user)).invoicesUrl !== null, true);
    });
  },
);

dbTest(
  "billing state: an account that never paid is on Free with nothing to show",
  async (db) => {
    await withBilling(db, async ({ deps, customer }) => {
      const user = await customer();
      deepStrictEqual(await billingState(deps, user), {
        plan: { tier: "free", name: "Free" },
        subscription: null,
        needsPaymentFix: false,
        invoicesUrl: null,
        hasCustomer: true,
      });
    });
  },
);
