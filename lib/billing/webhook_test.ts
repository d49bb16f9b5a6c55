import { deepStrictEqual, ok, strictEqual } from "node:assert/strict";
import { listSubscriptions } from "../db/account_data.ts";
import { listAuditForUser } from "../db/audit.ts";
import type { Db } from "../db/db.ts";
import { getStripeEvent } from "../db/stripe_events.ts";
import { dbTest } from "../db/testing.ts";
import { getUserById } from "../db/users.ts";
import { queuedMail } from "../auth/mail_testing.ts";
import type { StripeObject } from "../../tests/helpers/stripe_standin.ts";
import { type BillingTest, withBilling } from "./testing.ts";
import { handleWebhook, type WebhookAnswer } from "./webhook.ts";

/** Signs `event` at the stand-in and hands it to the webhook. */
async function deliver(
  t: BillingTest,
  event: StripeObject,
  opts: { timestamp?: number; secret?: string } = {},
): Promise<WebhookAnswer> {
  const { payload, signature } = await t.stripe.webhook(event, opts);
  return await handleWebhook(t.deps, payload, signature);
}

async function tierOf(db: Db, userId: string): Promise<string | undefined> {
  return (await getUserById(db, userId))?.subscriptionTier;
}

const LIST_SUBSCRIPTIONS = /^GET \/v1\/subscriptions$/;

dbTest(
  "webhook: a subscription created is read back from Stripe and written: rows, tier, audit, event marked",
  async (db) => {
    await withBilling(db, async (t) => {
      const user = await t.customer();
      const sub = t.stripe.addSubscription(user.stripeCustomerId, {
        tier: "team",
        card: { brand: "mastercard", last4: "4444" },
      });
      const event = t.stripe.subscriptionEvent("created", sub.id);
      deepStrictEqual(await deliver(t, event), {
        status: 200,
        result: "processed",
        outcome: "synced",
      });
      strictEqual(await tierOf(db, user.id), "team");
      const [row, ...more] = await listSubscriptions(db, user.id);
      strictEqual(more.length, 0);
      strictEqual(row.stripeSubscriptionId, sub.id);
      strictEqual(row.status, "active");
      strictEqual(row.plan, "team");
      strictEqual(row.priceId, "price_islet_team");
      strictEqual(row.cancelAtPeriodEnd, false);
      strictEqual(row.paymentMethodBrand, "mastercard");
      strictEqual(row.paymentMethodLast4, "4444");
      strictEqual(
        row.currentPeriodEnd,
        sub.items.data[0].current_period_end * 1000,
      );
      const recorded = await getStripeEvent(db, event.id);
      strictEqual(recorded?.outcome, "synced");
      strictEqual(recorded?.customerId, user.stripeCustomerId);
      ok(recorded?.processedAt);
      const changes = (await listAuditForUser(db, user.id, 50)).filter((e) =>
        e.event === "billing.plan_changed"
      );
      deepStrictEqual(changes.map((e) => e.details), [{
        from: "free",
        to: "team",
      }]);
    });
  },
);

dbTest(
  "webhook: a duplicate is answered 200 and changes nothing (Stripe is not read again)",
  async (db) => {
    await withBilling(db, async (t) => {
      const user = await t.customer();
      const sub = t.stripe.addSubscription(user.stripeCustomerId);
      const event = t.stripe.subscriptionEvent("created", sub.id);
      strictEqual((await deliver(t, event)).status, 200);
      strictEqual(t.stripe.count(LIST_SUBSCRIPTIONS), 1);
      // Stripe changed meanwhile; a duplicate must not be what applies it.
      t.stripe.updateSubscription(sub.id, { status: "canceled" });
      deepStrictEqual(await deliver(t, event), {
        status: 200,
        result: "duplicate",
      });
      strictEqual(t.stripe.count(LIST_SUBSCRIPTIONS), 1);
      strictEqual(await tierOf(db, user.id), "pro");
    });
  },
);

dbTest(
  "webhook: out of order (deleted before updated) ends in Stripe's state",
  async (db) => {
    await withBilling(db, async (t) => {
      const user = await t.customer();
      const sub = t.stripe.addSubscription(user.stripeCustomerId);
      strictEqual(
        (await deliver(t, t.stripe.subscriptionEvent("created", sub.id)))
          .status,
        200,
      );
      strictEqual(await tierOf(db, user.id), "pro");
      // Stripe: updated (cancel at period end), then deleted. The events
      // arrive in the other order.
      t.stripe.updateSubscription(sub.id, { cancelAtPeriodEnd: true });
      const updated = t.stripe.subscriptionEvent("updated", sub.id);
      t.stripe.updateSubscription(sub.id, { status: "canceled" });
      const deleted = t.stripe.subscriptionEvent("deleted", sub.id);
      strictEqual((await deliver(t, deleted)).status, 200);
      strictEqual((await deliver(t, updated)).status, 200);
      strictEqual(await tierOf(db, user.id), "free");
      const [row] = await listSubscriptions(db, user.id);
      strictEqual(row.status, "canceled");
      // The updated event's payload said active + cancel at period end; the
      // row says what Stripe says now.
      strictEqual(row.cancelAtPeriodEnd, false);
    });
  },
);

dbTest(
  "webhook: a replay signed more than 5 minutes ago, a bad or missing signature, a changed body: 400 and nothing recorded",
  async (db) => {
    await withBilling(db, async (t) => {
      const user = await t.customer();
      const sub = t.stripe.addSubscription(user.stripeCustomerId);
      const event = t.stripe.subscriptionEvent("created", sub.id);
      const now = Math.floor(Date.now() / 1000);
      const old = await deliver(t, event, { timestamp: now - 301 });
      strictEqual(old.status, 400);
      const wrongSecret = await deliver(t, event, { secret: "whsec_other" });
      strictEqual(wrongSecret.status, 400);
      const { payload, signature } = await t.stripe.webhook(event);
      strictEqual((await handleWebhook(t.deps, payload, null)).status, 400);
      strictEqual((await handleWebhook(t.deps, payload, "")).status, 400);
      strictEqual(
        (await handleWebhook(t.deps, payload, "t=1,v1=00")).status,
        400,
      );
      const altered = payload.replace('"active"', '"trialing"');
      ok(altered !== payload);
      strictEqual(
        (await handleWebhook(t.deps, altered, signature)).status,
        400,
      );
      strictEqual(await getStripeEvent(db, event.id), null);
      strictEqual(t.stripe.count(LIST_SUBSCRIPTIONS), 0);
      strictEqual(await tierOf(db, user.id), "free");
      // Within the tolerance it is accepted.
      const recent = await deliver(t, event, { timestamp: now - 240 });
      strictEqual(recent.status, 200);
    });
  },
);

dbTest(
  "webhook: a signed body that is not an event is a 400, never a 500",
  async (db) => {
    await withBilling(db, async (t) => {
      for (
        const body of [
          "not json",
          "[]",
          "null",
          '{"id":"evt_1"}',
          '{"id":"x","type":"invoice.paid","data":{"object":{}}}',
          '{"id":"evt_1","type":"","data":{"object":{}}}',
          '{"id":"evt_1","type":"invoice.paid","data":{"object":null}}',
        ]
      ) {
        const { payload, signature } = await t.stripe.webhook(body);
        strictEqual(
          (await handleWebhook(t.deps, payload, signature)).status,
          400,
          body,
        );
      }
    });
  },
);

dbTest(
  "webhook: 100 concurrent deliveries of one event are processed once",
  async (db) => {
    await withBilling(db, async (t) => {
      const user = await t.customer();
      const sub = t.stripe.addSubscription(user.stripeCustomerId);
      const event = t.stripe.subscriptionEvent("created", sub.id);
      const { payload, signature } = await t.stripe.webhook(event);
      const answers = await Promise.all(
        Array.from(
          { length: 100 },
          () => handleWebhook(t.deps, payload, signature),
        ),
      );
      const results = answers.map((a) =>
        a.status === 200 ? a.result : a.status
      );
      strictEqual(
        results.filter((r) => r === "processed").length,
        1,
      );
      strictEqual(results.filter((r) => r === "duplicate").length, 99);
      strictEqual(t.stripe.count(LIST_SUBSCRIPTIONS), 1);
      const changes = (await listAuditForUser(db, user.id, 200)).filter((e) =>
        e.event === "billing.plan_changed"
      );
      strictEqual(changes.length, 1);
      strictEqual(await tierOf(db, user.id), "pro");
    });
  },
);

dbTest(
  "webhook: Stripe failing mid-processing answers 500 and leaves the event unprocessed; the retry writes the right state",
  async (db) => {
    await withBilling(db, async (t) => {
      const user = await t.customer();
      const sub = t.stripe.addSubscription(user.stripeCustomerId);
      const event = t.stripe.subscriptionEvent("created", sub.id);
      // The SDK retries once: both tries fail.
      t.stripe.failNext(2, { path: /^\/v1\/subscriptions$/ });
      const failed = await deliver(t, event);
      strictEqual(failed.status, 500);
      const row = await getStripeEvent(db, event.id);
      strictEqual(row?.processedAt, null, "recorded, not processed");
      strictEqual(await tierOf(db, user.id), "free");
      deepStrictEqual(await listSubscriptions(db, user.id), []);
      // Meanwhile the customer moved to team; Stripe's retry comes at once
      // (the claim was released, no lease to wait out).
      t.stripe.updateSubscription(sub.id, { tier: "team" });
      deepStrictEqual(await deliver(t, event), {
        status: 200,
        result: "processed",
        outcome: "synced",
      });
      strictEqual(await tierOf(db, user.id), "team");
      strictEqual((await listSubscriptions(db, user.id))[0].plan, "team");
    });
  },
);

dbTest(
  "webhook: a write failing half-way rolls back everything, the processed mark included; the retry completes it",
  async (db) => {
    await withBilling(db, async (t) => {
      const user = await t.customer();
      const sub = t.stripe.addSubscription(user.stripeCustomerId);
      const event = t.stripe.subscriptionEvent("created", sub.id);
      // The tier update fails after the event was marked and the
      // subscription row written, inside the same transaction.
      if (db.engine === "sqlite") {
        await db.exec(
          `CREATE TRIGGER fail_tier BEFORE UPDATE OF subscription_tier ON users
        BEGIN SELECT RAISE(ABORT, 'injected failure'); END`,
        );
      } else {
        await db.exec(
          `CREATE FUNCTION fail_tier() RETURNS trigger LANGUAGE plpgsql AS
        $$ BEGIN RAISE EXCEPTION 'injected failure'; END $$;
        CREATE TRIGGER fail_tier BEFORE UPDATE OF subscription_tier ON users
        FOR EACH ROW EXECUTE FUNCTION fail_tier()`,
        );
      }
      strictEqual((await deliver(t, event)).status, 500);
      strictEqual((await getStripeEvent(db, event.id))?.processedAt, null);
      deepStrictEqual(await listSubscriptions(db, user.id), []);
      strictEqual(await tierOf(db, user.id), "free");
      strictEqual(
        (await listAuditForUser(db, user.id, 50)).filter((e) =>
          e.event === "billing.plan_changed"
        ).length,
        0,
      );
      await db.exec(
        db.engine === "sqlite"
          ? "DROP TRIGGER fail_tier"
          : "DROP TRIGGER fail_tier ON users; DROP FUNCTION fail_tier()",
      );
      strictEqual((await deliver(t, event)).status, 200);
      strictEqual(await tierOf(db, user.id), "pro");
      strictEqual((await listSubscriptions(db, user.id)).length, 1);
    });
  },
);

dbTest(
  "webhook: an event for a customer no account has is recorded and writes nothing",
  async (db) => {
    await withBilling(db, async (t) => {
      const stranger = t.stripe.addCustomer({ email: "someone@example.com" });
      const sub = t.stripe.addSubscription(stranger.id);
      const event = t.stripe.subscriptionEvent("created", sub.id);
      deepStrictEqual(await deliver(t, event), {
        status: 200,
        result: "processed",
        outcome: "unknown_customer",
      });
      strictEqual(
        (await getStripeEvent(db, event.id))?.customerId,
        stranger.id,
      );
      strictEqual(
        Number((await db.get("SELECT count(*) AS n FROM subscriptions"))?.n),
        0,
      );
      strictEqual(t.stripe.count(LIST_SUBSCRIPTIONS), 0);
    });
  },
);

dbTest(
  "webhook: any other event type is answered 200 and recorded as ignored",
  async (db) => {
    await withBilling(db, async (t) => {
      const user = await t.customer();
      const event = t.stripe.event("customer.updated", {
        id: user.stripeCustomerId,
        object: "customer",
      });
      deepStrictEqual(await deliver(t, event), {
        status: 200,
        result: "processed",
        outcome: "ignored",
      });
      strictEqual(
        (await getStripeEvent(db, event.id))?.type,
        "customer.updated",
      );
      strictEqual(t.stripe.calls.length, 0);
    });
  },
);

dbTest(
  "webhook: a failed payment is audited and mailed once, with the link to fix it; the state is re-read",
  async (db) => {
    await withBilling(db, async (t) => {
      const user = await t.customer();
      const sub = t.stripe.addSubscription(user.stripeCustomerId);
      t.stripe.updateSubscription(sub.id, { status: "past_due" });
      const event = t.stripe.invoiceEvent("payment_failed", sub.id);
      strictEqual((await deliver(t, event)).status, 200);
      strictEqual((await deliver(t, event)).status, 200); // duplicate
      const mails = (await queuedMail(db)).filter((m) =>
        m.kind === "billing_payment_failed"
      );
      strictEqual(mails.length, 1);
      strictEqual(mails[0].to, user.email);
      ok(mails[0].text.includes("Pro plan"), mails[0].text);
      ok(mails[0].links.includes("https://islet.example/settings/billing"));
      const failed = (await listAuditForUser(db, user.id, 50)).filter((e) =>
        e.event === "billing.payment_failed"
      );
      strictEqual(failed.length, 1);
      // Past due keeps the plan (Stripe retries); the row says past_due.
      strictEqual(await tierOf(db, user.id), "pro");
      strictEqual((await listSubscriptions(db, user.id))[0].status, "past_due");
    });
  },
);

dbTest(
  "webhook: a dispute finds its customer through the charge and is audited",
  async (db) => {
    await withBilling(db, async (t) => {
      const user = await t.customer();
      t.stripe.addSubscription(user.stripeCustomerId);
      const charge = t.stripe.addCharge(user.stripeCustomerId);
      const event = t.stripe.event("charge.dispute.created", {
        id: "dp_1",
        object: "dispute",
        charge: charge.id,
      });
      strictEqual((await deliver(t, event)).status, 200);
      strictEqual(
        (await getStripeEvent(db, event.id))?.customerId,
        user.stripeCustomerId,
      );
      ok(
        (await listAuditForUser(db, user.id, 50)).some((e) =>
          e.event === "billing.payment_disputed"
        ),
      );
    });
  },
);

dbTest(
  "webhook: two events for one customer at once, the older read finishing last, leave the newer state",
  async (db) => {
    await withBilling(db, async (t) => {
      const user = await t.customer();
      const sub = t.stripe.addSubscription(user.stripeCustomerId);
      // A: its read of Stripe (pro, active) is answered late.
      t.stripe.delayNext(1, 300, { path: /^\/v1\/subscriptions$/ });
      const a = deliver(t, t.stripe.subscriptionEvent("created", sub.id));
      await new Promise((resolve) => setTimeout(resolve, 100));
      // Meanwhile the subscription is canceled and B, about that, is done.
      t.stripe.updateSubscription(sub.id, { status: "canceled" });
      const b = await deliver(t, t.stripe.subscriptionEvent("deleted", sub.id));
      strictEqual(b.status, 200);
      strictEqual(await tierOf(db, user.id), "free");
      strictEqual((await a).status, 200);
      // A's read began first: it must not overwrite B's.
      strictEqual(await tierOf(db, user.id), "free");
      strictEqual((await listSubscriptions(db, user.id))[0].status, "canceled");
    });
  },
);
