import { deepStrictEqual, strictEqual } from "node:assert/strict";
import { withTestDb } from "../db/testing.ts";
import { readCustomerState } from "./customer_state.ts";
import { withBilling } from "./testing.ts";

Deno.test("customer state: the tier is the highest a live subscription grants; ended, unpaid or unknown prices grant nothing", async () => {
  await withTestDb((db) =>
    withBilling(db, async ({ deps, stripe }) => {
      const c = stripe.addCustomer().id;
      const tierNow = async () =>
        (await readCustomerState(deps.billing, c)).tier;
      strictEqual(await tierNow(), "free");
      const team = stripe.addSubscription(c, { tier: "team" });
      stripe.updateSubscription(team.id, { status: "canceled" });
      const pro = stripe.addSubscription(c, { tier: "pro" });
      strictEqual(await tierNow(), "pro");
      for (
        const [status, tier] of [
          ["trialing", "pro"],
          ["past_due", "pro"],
          ["unpaid", "free"],
          ["incomplete", "free"],
          ["paused", "free"],
        ]
      ) {
        stripe.updateSubscription(pro.id, { status });
        strictEqual(await tierNow(), tier, status);
      }
      stripe.addSubscription(c, { price: "price_not_configured" });
      strictEqual(await tierNow(), "free");
      const state = await readCustomerState(deps.billing, c);
      deepStrictEqual(
        state.subscriptions.map((s) => [s.status, s.plan]).sort(),
        [["active", null], ["canceled", "team"], ["paused", "pro"]],
      );
    })
  );
});

Deno.test("customer state: a subscription without its own card shows the customer's default card", async () => {
  await withTestDb((db) =>
    withBilling(db, async ({ deps, stripe }) => {
      const c = stripe.addCustomer().id;
      stripe.addCard(c, { brand: "discover", last4: "1117" }, {
        makeDefault: true,
      });
      stripe.addSubscription(c, { card: null });
      const [sub] = (await readCustomerState(deps.billing, c)).subscriptions;
      strictEqual(sub.paymentMethodBrand, "discover");
      strictEqual(sub.paymentMethodLast4, "1117");
    })
  );
});
