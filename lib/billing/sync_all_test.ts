import { deepStrictEqual, strictEqual } from "node:assert/strict";
import { listSubscriptions } from "../db/account_data.ts";
import { dbTest } from "../db/testing.ts";
import { getUserById, updateBilling } from "../db/users.ts";
import { syncAllCustomers } from "./sync_all.ts";
import { withBilling } from "./testing.ts";

dbTest(
  "billing:sync fixes drifted rows and tiers, and a second run changes nothing",
  async (db) => {
    await withBilling(db, async ({ deps, stripe, customer }) => {
      // Three accounts a webhook never reached: paid (pro), canceled (the
      // row says team), and one whose tier was tampered with.
      const paid = await customer();
      stripe.addSubscription(paid.stripeCustomerId, { tier: "pro" });
      const lapsed = await customer();
      const old = stripe.addSubscription(lapsed.stripeCustomerId, {
        tier: "team",
      });
      stripe.updateSubscription(old.id, { status: "canceled" });
      await updateBilling(db, lapsed.id, { subscriptionTier: "team" });
      const tampered = await customer();
      await updateBilling(db, tampered.id, { subscriptionTier: "team" });

      const first = await syncAllCustomers(deps, { pageSize: 2 });
      strictEqual(first.checked, 3);
      strictEqual(first.failed, 0);
      deepStrictEqual(
        first.changed.sort(),
        [
          `${lapsed.id}: team → free`,
          `${paid.id}: free → pro`,
          `${tampered.id}: team → free`,
        ].sort(),
      );
      strictEqual((await getUserById(db, paid.id))?.subscriptionTier, "pro");
      strictEqual((await getUserById(db, lapsed.id))?.subscriptionTier, "free");
      strictEqual(
        (await getUserById(db, tampered.id))?.subscriptionTier,
        "free",
      );
      strictEqual(
        (await listSubscriptions(db, lapsed.id))[0].status,
        "canceled",
      );

      const snapshot = async () =>
        (await db.all(
          "SELECT user_id, stripe_subscription_id, status, plan, price_id, current_period_end, cancel_at_period_end, payment_method_last4 FROM subscriptions ORDER BY stripe_subscription_id",
        )).concat(
          await db.all(
            "SELECT id, subscription_tier FROM users ORDER BY id",
          ),
        );
      const before = await snapshot();
      const audits = Number(
        (await db.get("SELECT count(*) AS n FROM audit_log"))?.n,
      );
      const second = await syncAllCustomers(deps);
      deepStrictEqual(second.changed, []);
      strictEqual(second.checked, 3);
      deepStrictEqual(await snapshot(), before);
      strictEqual(
        Number((await db.get("SELECT count(*) AS n FROM audit_log"))?.n),
        audits,
      );
    });
  },
);

dbTest(
  "billing:sync counts a customer Stripe cannot answer for and goes on with the others",
  async (db) => {
    await withBilling(db, async ({ deps, stripe, customer }) => {
      const a = await customer();
      const b = await customer();
      stripe.addSubscription(a.stripeCustomerId);
      stripe.addSubscription(b.stripeCustomerId);
      stripe.failNext(2, { path: /^\/v1\/subscriptions$/ });
      const report = await syncAllCustomers(deps);
      strictEqual(report.failed, 1);
      strictEqual(report.checked, 1);
      const again = await syncAllCustomers(deps);
      strictEqual(again.failed, 0);
      strictEqual((await getUserById(db, a.id))?.subscriptionTier, "pro");
      strictEqual((await getUserById(db, b.id))?.subscriptionTier, "pro");
    });
  },
);
