import { strictEqual } from "node:assert/strict";
import type { Cache } from "../cache/cache.ts";
import type { Queryable } from "../db/db.ts";
import { dbTest } from "../db/testing.ts";
import { createUser } from "../db/users.ts";
import { paymentProblem } from "./payment_notice.ts";
import { syncCustomer } from "./sync.ts";
import { withBilling } from "./testing.ts";

/** `db` and `cache`, counting what reaches each. */
function counted(db: Queryable, cache: Cache) {
  const n = { queries: 0, cacheGets: 0 };
  const countQueries = new Proxy(db, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (typeof value !== "function") return value;
      return (...args: unknown[]) => {
        if (["all", "get", "values", "run", "exec"].includes(String(prop))) {
          n.queries++;
        }
        return value.apply(target, args);
      };
    },
  });
  const countGets: Cache = {
    ...cache,
    get: (key) => {
      n.cacheGets++;
      return cache.get(key);
    },
    set: (key, value, ttl) => cache.set(key, value, ttl),
  };
  return { n, deps: { db: countQueries, cache: countGets } };
}

dbTest(
  "payment banner: an account without a Stripe customer costs no lookup at all",
  async (db) => {
    await withBilling(db, async ({ deps }) => {
      const user = await createUser(db, {
        email: "free@example.com",
        username: "free",
        emailVerifiedAt: Date.now(),
      });
      const { n, deps: c } = counted(db, deps.cache);
      strictEqual(await paymentProblem(c, user), null);
      strictEqual(n.queries, 0);
      strictEqual(n.cacheGets, 0);
    });
  },
);

dbTest(
  "payment banner: past_due and unpaid are read once from the database, then from the cache until a sync writes",
  async (db) => {
    await withBilling(db, async ({ deps, stripe, customer }) => {
      const user = await customer();
      const sub = stripe.addSubscription(user.stripeCustomerId);
      const sync = () =>
        syncCustomer(deps, { id: user.id, customerId: user.stripeCustomerId });
      await sync();
      const { n, deps: c } = counted(db, deps.cache);

      strictEqual(await paymentProblem(c, user), null, "active");
      strictEqual(n.queries, 1, "a miss reads the subscriptions once");
      strictEqual(await paymentProblem(c, user), null);
      strictEqual(n.queries, 1, "then the cache answers, even 'nothing'");

      stripe.updateSubscription(sub.id, { status: "past_due" });
      await sync();
      strictEqual(await paymentProblem(c, user), "past_due");
      strictEqual(await paymentProblem(c, user), "past_due");
      strictEqual(n.queries, 2, "the sync dropped the cached answer, once");

      stripe.updateSubscription(sub.id, { status: "unpaid" });
      await sync();
      strictEqual(await paymentProblem(c, user), "unpaid");

      stripe.updateSubscription(sub.id, { status: "active" });
      await sync();
      strictEqual(await paymentProblem(c, user), null, "paid again");
      strictEqual(n.queries, 4);
      strictEqual(stripe.count(/^GET \/v1\/invoices/), 0, "never Stripe");
    });
  },
);

dbTest(
  "payment banner: a canceled subscription beside a live one is not a problem; an ended one alone is not either",
  async (db) => {
    await withBilling(db, async ({ deps, stripe, customer }) => {
      const user = await customer();
      const old = stripe.addSubscription(user.stripeCustomerId);
      stripe.updateSubscription(old.id, { status: "canceled" });
      await syncCustomer(deps, {
        id: user.id,
        customerId: user.stripeCustomerId,
      });
      strictEqual(await paymentProblem(deps, user), null);
      stripe.addSubscription(user.stripeCustomerId, { status: "past_due" });
      await syncCustomer(deps, {
        id: user.id,
        customerId: user.stripeCustomerId,
      });
      strictEqual(await paymentProblem(deps, user), "past_due");
    });
  },
);
