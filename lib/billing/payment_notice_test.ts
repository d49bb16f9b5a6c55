import { deepStrictEqual, rejects, strictEqual } from "node:assert/strict";
import {
  createSession,
  DEFAULT_SESSION_SETTINGS,
  type SessionDeps,
  validateSessionToken,
} from "../auth/session.ts";
import { listSubscriptions } from "../db/account_data.ts";
import type { Db } from "../db/db.ts";
import { loadMigrations, migrate, migrationsDir } from "../db/migrate.ts";
import { dbTest } from "../db/testing.ts";
import { getUserById } from "../db/users.ts";
import { paymentProblemOf } from "./payment_notice.ts";
import { syncCustomer } from "./sync.ts";
import { withBilling } from "./testing.ts";

/** The payment problem on the user row as the database has it now. */
async function stored(db: Db, userId: string) {
  return (await getUserById(db, userId))!.paymentProblem;
}

dbTest(
  "payment banner: the sync writes past_due, unpaid and paid again on the user row, and the session's user carries it",
  async (db) => {
    await withBilling(db, async ({ deps, stripe, customer }) => {
      const user = await customer();
      strictEqual(user.paymentProblem, null, "a new account");
      const sub = stripe.addSubscription(user.stripeCustomerId);
      const sync = () =>
        syncCustomer(deps, { id: user.id, customerId: user.stripeCustomerId });
      await sync();
      strictEqual(await stored(db, user.id), null, "active");

      // Both ways a page finds its user: the session's first read joins
      // the user row, later ones read it alone (the row cache's query).
      const sessions: SessionDeps = {
        db,
        cache: deps.cache,
        settings: DEFAULT_SESSION_SETTINGS,
      };
      const { token } = await createSession(sessions, user.id, {});
      const seen = async () => [
        (await validateSessionToken(sessions, token))!.user.paymentProblem,
        (await validateSessionToken(sessions, token))!.user.paymentProblem,
      ];

      stripe.updateSubscription(sub.id, { status: "past_due" });
      await sync();
      strictEqual(await stored(db, user.id), "past_due");
      deepStrictEqual(await seen(), ["past_due", "past_due"]);

      stripe.updateSubscription(sub.id, { status: "unpaid" });
      await sync();
      deepStrictEqual(await seen(), ["unpaid", "unpaid"]);

      stripe.updateSubscription(sub.id, { status: "active" });
      await sync();
      deepStrictEqual(await seen(), [null, null], "paid again");
    });
  },
);

dbTest(
  "payment banner: an unchanged problem leaves the user row alone; a sync that fails writes none of it",
  async (db) => {
    await withBilling(db, async ({ deps, stripe, customer }) => {
      const user = await customer();
      const sub = stripe.addSubscription(user.stripeCustomerId, {
        status: "past_due",
      });
      const target = { id: user.id, customerId: user.stripeCustomerId };
      await syncCustomer(deps, target);
      const before = (await getUserById(db, user.id))!;
      strictEqual(before.paymentProblem, "past_due");
      await syncCustomer(deps, target);
      strictEqual(
        (await getUserById(db, user.id))!.updatedAt,
        before.updatedAt,
        "nothing to write, no update (no change notice for every instance)",
      );

      stripe.updateSubscription(sub.id, { status: "unpaid" });
      await rejects(
        syncCustomer(deps, target, {
          after: () => Promise.reject(new Error("the event's mark failed")),
        }),
        /mark failed/,
      );
      strictEqual(await stored(db, user.id), "past_due", "rolled back");
      strictEqual((await listSubscriptions(db, user.id))[0].status, "past_due");
      await syncCustomer(deps, target);
      strictEqual(await stored(db, user.id), "unpaid");
    });
  },
);

dbTest(
  "payment banner: a failed subscription that ended is not a problem; a live one past due beside it is",
  async (db) => {
    await withBilling(db, async ({ deps, stripe, customer }) => {
      const user = await customer();
      const target = { id: user.id, customerId: user.stripeCustomerId };
      const old = stripe.addSubscription(user.stripeCustomerId, {
        status: "past_due",
      });
      stripe.updateSubscription(old.id, { status: "canceled" });
      await syncCustomer(deps, target);
      strictEqual(await stored(db, user.id), null);
      stripe.addSubscription(user.stripeCustomerId, { status: "past_due" });
      await syncCustomer(deps, target);
      strictEqual(await stored(db, user.id), "past_due");
    });
  },
);

Deno.test("paymentProblemOf: the main subscription's status, past due or unpaid only", () => {
  const s = (status: string, currentPeriodEnd: number | null = 1) => ({
    status,
    currentPeriodEnd,
  });
  strictEqual(paymentProblemOf([]), null);
  strictEqual(paymentProblemOf([s("active")]), null);
  strictEqual(paymentProblemOf([s("past_due")]), "past_due");
  strictEqual(paymentProblemOf([s("unpaid")]), "unpaid");
  strictEqual(paymentProblemOf([s("unpaid"), s("canceled", 9)]), "unpaid");
  strictEqual(paymentProblemOf([s("past_due", 1), s("active", 2)]), null);
  strictEqual(paymentProblemOf([s("canceled"), s("incomplete")]), null);
});

dbTest(
  "migration 0010: accounts already past due or unpaid get the problem on their row, the others none",
  async (db) => {
    const all = await loadMigrations(migrationsDir(db.engine));
    await migrate(db, all.filter((m) => m.version < 10));
    const now = Date.now();
    const users = ["due", "unpaid", "fine", "ended", "none"];
    const id = (name: string) =>
      `00000000-0000-4000-8000-${name.padEnd(12, "0")}`
        .replace(/[^0-9a-f-]/g, "a");
    for (const name of users) {
      await db.run(
        `INSERT INTO users (id, email, username, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?)`,
        [id(name), `${name}@example.com`, name, now, now],
      );
    }
    let n = 0;
    const sub = (user: string, status: string, periodEnd: number) =>
      db.run(
        `INSERT INTO subscriptions (user_id, stripe_subscription_id, status,
           current_period_end, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?)`,
        [id(user), `sub_${++n}`, status, periodEnd, now, now],
      );
    await sub("due", "past_due", 10);
    await sub("due", "canceled", 20);
    await sub("unpaid", "unpaid", 10);
    await sub("fine", "past_due", 10);
    await sub("fine", "active", 20); // the later live one is the main one
    await sub("ended", "canceled", 10);

    await migrate(db);
    const got = Object.fromEntries(
      await Promise.all(
        users.map(async (u) => [u, await stored(db, id(u))] as const),
      ),
    );
    deepStrictEqual(got, {
      due: "past_due",
      unpaid: "unpaid",
      fine: null,
      ended: null,
      none: null,
    });
    await rejects(
      db.run("UPDATE users SET payment_problem = 'late' WHERE id = ?", [
        id("none"),
      ]),
      "the CHECK refuses anything else",
    );
  },
  { migrate: false },
);
