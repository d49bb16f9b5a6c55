import { deepStrictEqual, strictEqual } from "node:assert/strict";
import { listSubscriptions } from "./account_data.ts";
import {
  claimSyncWrite,
  replaceSubscriptions,
  type SubscriptionRecord,
  takeSyncTicket,
  usersWithCustomers,
} from "./subscriptions.ts";
import { dbTest } from "./testing.ts";
import { createUser, updateBilling } from "./users.ts";

const SUB: SubscriptionRecord = {
  stripeSubscriptionId: "sub_1",
  status: "active",
  priceId: "price_pro",
  plan: "pro",
  currentPeriodStart: 1000,
  currentPeriodEnd: 2000,
  cancelAtPeriodEnd: false,
  paymentMethodBrand: "visa",
  paymentMethodLast4: "4242",
};

dbTest(
  "sync tickets: a read is written only if no later read was written first",
  async (db) => {
    const user = await createUser(db, {
      email: "a@example.com",
      username: "a",
    });
    const first = await takeSyncTicket(db, user.id);
    const second = await takeSyncTicket(db, user.id);
    strictEqual(second, first + 1);
    // The later read finishes first: it is written, the earlier one not.
    strictEqual(
      await db.transaction((tx) => claimSyncWrite(tx, user.id, second)),
      true,
    );
    strictEqual(
      await db.transaction((tx) => claimSyncWrite(tx, user.id, first)),
      false,
    );
    strictEqual(await claimSyncWrite(db, user.id, second), false, "once");
    const third = await takeSyncTicket(db, user.id);
    strictEqual(await claimSyncWrite(db, user.id, third), true);
  },
);

dbTest(
  "subscriptions: replace upserts by Stripe id and drops what Stripe no longer lists",
  async (db) => {
    const user = await createUser(db, {
      email: "a@example.com",
      username: "a",
    });
    await replaceSubscriptions(db, user.id, [SUB, {
      ...SUB,
      stripeSubscriptionId: "sub_2",
      status: "canceled",
    }], 10);
    strictEqual((await listSubscriptions(db, user.id)).length, 2);
    await replaceSubscriptions(db, user.id, [{
      ...SUB,
      status: "past_due",
      cancelAtPeriodEnd: true,
    }], 20);
    const rows = await listSubscriptions(db, user.id);
    deepStrictEqual(
      rows.map((
        r,
      ) => [
        r.stripeSubscriptionId,
        r.status,
        r.cancelAtPeriodEnd,
        r.createdAt,
        r.updatedAt,
      ]),
      [
        ["sub_1", "past_due", true, 10, 20],
      ],
    );
    await replaceSubscriptions(db, user.id, []);
    deepStrictEqual(await listSubscriptions(db, user.id), []);
  },
);

dbTest(
  "subscriptions: users with customers come a page at a time in id order",
  async (db) => {
    const ids: string[] = [];
    for (const n of [1, 2, 3]) {
      const u = await createUser(db, {
        email: `u${n}@example.com`,
        username: `u${n}`,
      });
      await updateBilling(db, u.id, { stripeCustomerId: `cus_${n}` });
      ids.push(u.id);
    }
    await createUser(db, { email: "none@example.com", username: "none" });
    ids.sort();
    const page1 = await usersWithCustomers(db, "", 2);
    deepStrictEqual(page1.map((u) => u.id), ids.slice(0, 2));
    const page2 = await usersWithCustomers(db, page1[1].id, 2);
    deepStrictEqual(page2.map((u) => u.id), ids.slice(2));
  },
);
