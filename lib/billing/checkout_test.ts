import { deepStrictEqual, ok, strictEqual } from "node:assert/strict";
import { dbTest } from "../db/testing.ts";
import { createUser, getUserById, type User } from "../db/users.ts";
import { startCheckout } from "./checkout.ts";
import { openPortal } from "./portal.ts";
import { withBilling } from "./testing.ts";

async function verifiedUser(
  db: Parameters<typeof createUser>[0],
  verified = true,
): Promise<User> {
  const name = crypto.randomUUID().slice(0, 8);
  return await createUser(db, {
    email: `${name}@example.com`,
    username: name,
    emailVerifiedAt: verified ? Date.now() : null,
  });
}

dbTest(
  "checkout: the customer is made first (user id in its metadata) and stored; the session sells the plan's price and comes back on-site",
  async (db) => {
    await withBilling(db, async ({ deps, stripe }) => {
      const user = await verifiedUser(db);
      const result = await startCheckout(deps, user, "team");
      ok(result.ok, JSON.stringify(result));
      strictEqual(result.to, "checkout");
      const [customer] = [...stripe.customers.values()];
      deepStrictEqual(customer.metadata, { user_id: user.id });
      strictEqual(customer.email, user.email);
      strictEqual(
        (await getUserById(db, user.id))?.stripeCustomerId,
        customer.id,
      );
      const [session] = [...stripe.checkoutSessions.values()];
      strictEqual(result.url, session.url);
      strictEqual(session.mode, "subscription");
      strictEqual(session.customer, customer.id);
      strictEqual(session.client_reference_id, user.id);
      deepStrictEqual(session.line_items, [{
        price: "price_islet_team",
        quantity: 1,
      }]);
      strictEqual(
        session.success_url,
        "https://islet.example/settings/billing?checkout=done",
      );
      strictEqual(
        session.cancel_url,
        "https://islet.example/settings/billing?checkout=canceled",
      );
      // Again: the same customer, a new session.
      const again = await startCheckout(deps, user, "pro");
      ok(again.ok && again.to === "checkout");
      strictEqual(stripe.customers.size, 1);
    });
  },
);

dbTest(
  "checkout: two started at once for a new account make one customer",
  async (db) => {
    await withBilling(db, async ({ deps, stripe }) => {
      const user = await verifiedUser(db);
      const [a, b] = await Promise.all([
        startCheckout(deps, user, "pro"),
        startCheckout(deps, user, "pro"),
      ]);
      ok(a.ok && b.ok);
      strictEqual(stripe.customers.size, 1);
    });
  },
);

dbTest(
  "checkout: with a live subscription the answer is the portal, not a second checkout",
  async (db) => {
    await withBilling(db, async ({ deps, stripe, customer }) => {
      const user = await customer();
      const sub = stripe.addSubscription(user.stripeCustomerId);
      for (const status of ["active", "past_due", "trialing"]) {
        stripe.updateSubscription(sub.id, { status });
        const result = await startCheckout(deps, user, "team");
        ok(result.ok, status);
        strictEqual(result.to, "portal", status);
        ok(result.url.startsWith(`${stripe.url}/portal/`));
      }
      strictEqual(stripe.checkoutSessions.size, 0);
      stripe.updateSubscription(sub.id, { status: "canceled" });
      const after = await startCheckout(deps, user, "pro");
      ok(after.ok && after.to === "checkout");
    });
  },
);

dbTest(
  "checkout: refused for an unconfirmed address, an unknown plan, or Stripe unreachable (nothing stored)",
  async (db) => {
    await withBilling(db, async ({ deps, stripe }) => {
      const unverified = await verifiedUser(db, false);
      const refused = await startCheckout(deps, unverified, "pro");
      strictEqual(refused.ok ? "ok" : refused.reason, "unverified");
      const user = await verifiedUser(db);
      for (const plan of ["free", "gold", undefined, 1, "__proto__"]) {
        const bad = await startCheckout(deps, user, plan);
        strictEqual(bad.ok ? "ok" : bad.reason, "invalid", String(plan));
      }
      strictEqual(stripe.calls.length, 0);
      stripe.failNext(2, { path: /^\/v1\/customers$/ });
      const down = await startCheckout(deps, user, "pro");
      strictEqual(down.ok ? "ok" : down.reason, "unavailable");
      strictEqual((await getUserById(db, user.id))?.stripeCustomerId, null);
    });
  },
);

dbTest(
  "portal: a URL for an account with a customer, returning to the billing page; none without",
  async (db) => {
    await withBilling(db, async ({ deps, stripe, customer }) => {
      const none = await openPortal(deps, await verifiedUser(db));
      strictEqual(none.ok ? "ok" : none.reason, "not_found");
      const user = await customer();
      const portal = await openPortal(deps, user);
      ok(portal.ok);
      const [session] = [...stripe.portalSessions.values()];
      strictEqual(portal.url, session.url);
      strictEqual(session.customer, user.stripeCustomerId);
      strictEqual(session.return_url, "https://islet.example/settings/billing");
    });
  },
);
