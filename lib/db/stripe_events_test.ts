import { strictEqual } from "node:assert/strict";
import {
  claimEvent,
  finishEvent,
  getStripeEvent,
  purgeProcessedEvents,
  releaseEvent,
} from "./stripe_events.ts";
import { dbTest } from "./testing.ts";

const EVENT = { id: "evt_1", type: "invoice.paid", leaseMs: 60_000 };

dbTest("stripe events: one claim at a time; processed is final", async (db) => {
  strictEqual(await claimEvent(db, { ...EVENT, token: "a" }, 1000), "claimed");
  strictEqual(await claimEvent(db, { ...EVENT, token: "b" }, 1001), "held");
  strictEqual(await finishEvent(db, "evt_1", "b", "synced", null, 1002), false);
  strictEqual(
    await finishEvent(db, "evt_1", "a", "synced", "cus_1", 1003),
    true,
  );
  strictEqual(
    await claimEvent(db, { ...EVENT, token: "c" }, 1004),
    "processed",
  );
  const row = await getStripeEvent(db, "evt_1");
  strictEqual(row?.processedAt, 1003);
  strictEqual(row?.outcome, "synced");
  strictEqual(row?.customerId, "cus_1");
  // A processed event is never released or finished again.
  await releaseEvent(db, "evt_1", "a");
  strictEqual(
    await claimEvent(db, { ...EVENT, token: "d" }, 1005),
    "processed",
  );
});

dbTest(
  "stripe events: a released claim is taken at once, an expired one after its lease; the old holder cannot finish",
  async (db) => {
    strictEqual(
      await claimEvent(db, { ...EVENT, token: "a" }, 1000),
      "claimed",
    );
    await releaseEvent(db, "evt_1", "a");
    strictEqual(
      await claimEvent(db, { ...EVENT, token: "b" }, 1001),
      "claimed",
    );
    strictEqual(await claimEvent(db, { ...EVENT, token: "c" }, 61_000), "held");
    strictEqual(
      await claimEvent(db, { ...EVENT, token: "c" }, 61_001),
      "claimed",
    );
    strictEqual(await finishEvent(db, "evt_1", "b", "synced", null), false);
    strictEqual(await finishEvent(db, "evt_1", "c", "ignored", null), true);
  },
);

dbTest(
  "stripe events: concurrent claims of one id give exactly one holder",
  async (db) => {
    const claims = await Promise.all(
      Array.from(
        { length: 50 },
        (_, i) => claimEvent(db, { ...EVENT, token: `t${i}` }),
      ),
    );
    strictEqual(
      claims.filter((c) => c === "claimed").length,
      1,
    );
    strictEqual(claims.filter((c) => c === "held").length, 49);
  },
);

dbTest(
  "stripe events: purge removes processed events older than the cut only",
  async (db) => {
    await claimEvent(db, { ...EVENT, id: "evt_old", token: "a" }, 1000);
    await finishEvent(db, "evt_old", "a", "synced", null, 1000);
    await claimEvent(db, { ...EVENT, id: "evt_new", token: "a" }, 5000);
    await finishEvent(db, "evt_new", "a", "synced", null, 5000);
    await claimEvent(db, { ...EVENT, id: "evt_open", token: "a" }, 10);
    strictEqual(await purgeProcessedEvents(db, 2000), 1);
    strictEqual(await getStripeEvent(db, "evt_old"), null);
    strictEqual((await getStripeEvent(db, "evt_new"))?.id, "evt_new");
    strictEqual((await getStripeEvent(db, "evt_open"))?.id, "evt_open");
  },
);
