/**
 * The webhook on two served instances sharing one PostgreSQL database and
 * one Redis, as behind a load balancer: Stripe's deliveries (and their
 * retries and duplicates) land on either, at once and out of order, and
 * the state stays Stripe's, each event processed once.
 */
import { match, ok, strictEqual } from "node:assert/strict";
import { openPostgres } from "../../lib/db/postgres.ts";
import { createPgDatabase, dropPgDatabase } from "../../lib/db/testing.ts";
import { updateBilling } from "../../lib/db/users.ts";
import {
  type AuthApp,
  Client,
  startServedApp,
  uniqueEmail,
} from "../helpers/auth.ts";
import { deliverWebhook } from "../helpers/billing.ts";
import { HTML } from "../helpers/pages.ts";
import { startRedis } from "../helpers/redis.ts";
import { type StripeObject, StripeStandin } from "../helpers/stripe_standin.ts";

Deno.test("instances on PostgreSQL: the same events on both, at once and out of order, are processed once and leave Stripe's state", async () => {
  const stripe = await StripeStandin.start();
  const redis = await startRedis();
  const url = await createPgDatabase(true);
  const db = await openPostgres(url, { poolSize: 2 });
  const env = { ...stripe.env(), REDIS_URL: redis.url, DATABASE_URL: url };
  let a: AuthApp | undefined;
  let b: AuthApp | undefined;
  try {
    [a, b] = await Promise.all([
      startServedApp({ env }),
      startServedApp({ env }),
    ]);
    const client = new Client(a);
    const email = uniqueEmail("instances");
    const userId = String((await client.register(email)).json.user.id);
    const customer = stripe.addCustomer({
      email,
      metadata: { user_id: userId },
    });
    await updateBilling(db, userId, { stripeCustomerId: customer.id });
    const onB = new Client(b, { ip: client.ip, userAgent: client.userAgent });
    onB.cookie = client.cookie;
    strictEqual((await onB.get("/api/pro/report")).status, 403);

    // Created: 20 copies, half to each instance, all at once.
    const sub = stripe.addSubscription(customer.id, { tier: "pro" });
    const created = stripe.subscriptionEvent("created", sub.id);
    const both = (event: StripeObject, n: number) =>
      Promise.all(
        Array.from({ length: n }, (_, i) =>
          deliverWebhook(i % 2 ? a! : b!, stripe, event)),
      );
    const answers = await both(created, 20);
    ok(answers.every((r) => r.status === 200), JSON.stringify(answers));
    strictEqual(
      answers.filter((r) => r.json.result === "processed").length,
      1,
    );
    strictEqual(stripe.count(/^GET \/v1\/subscriptions$/), 1);
    // Written on one, seen on the other at once.
    strictEqual((await onB.get("/api/pro/report")).status, 200);
    strictEqual((await client.get("/api/pro/report")).status, 200);

    // Upgraded, then canceled at Stripe; the events arrive out of order,
    // each on both instances at once.
    stripe.updateSubscription(sub.id, { tier: "team" });
    const updated = stripe.subscriptionEvent("updated", sub.id);
    stripe.updateSubscription(sub.id, { status: "canceled" });
    const deleted = stripe.subscriptionEvent("deleted", sub.id);
    await Promise.all([both(deleted, 4), both(updated, 4)]);
    strictEqual(stripe.count(/^GET \/v1\/subscriptions$/), 3);
    const row = await db.get<{ status: string; plan: string }>(
      "SELECT status, plan FROM subscriptions WHERE stripe_subscription_id = ?",
      [sub.id],
    );
    strictEqual(row?.status, "canceled");
    strictEqual(row?.plan, "team");
    const tier = await db.get<{ subscription_tier: string }>(
      "SELECT subscription_tier FROM users WHERE id = ?",
      [userId],
    );
    strictEqual(tier?.subscription_tier, "free");
    strictEqual((await onB.get("/api/pro/report")).status, 403);
    strictEqual(
      Number(
        (await db.get(
          "SELECT count(*) AS n FROM stripe_events WHERE processed_at IS NOT NULL",
        ))?.n,
      ),
      3,
    );
    // pro, then free: two plan changes recorded, never more.
    strictEqual(
      Number(
        (await db.get(
          "SELECT count(*) AS n FROM audit_log WHERE event = 'billing.plan_changed'",
        ))?.n,
      ),
      2,
    );

    // The failed-payment banner rides on the user row: written on A, it is
    // on B's next page (the row's change notice; no cache entry of its own).
    const late = stripe.addSubscription(customer.id, { status: "past_due" });
    const lateEvent = stripe.subscriptionEvent("created", late.id);
    strictEqual((await deliverWebhook(a, stripe, lateEvent)).status, 200);
    match(
      (await onB.get("/dashboard", { headers: HTML })).text,
      /data-testid="payment-banner"[^>]*data-problem="past_due"/,
    );
    const logs = a.logs() + b.logs();
    ok(!/\b500\b|Uncaught|Error handling/.test(logs), logs);
  } finally {
    await a?.stop();
    await b?.stop();
    await db.close();
    await dropPgDatabase(url);
    await redis.stop();
    await stripe.close();
  }
});
