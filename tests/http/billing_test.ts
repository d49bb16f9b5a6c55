/**
 * Billing over HTTP on both engines, the real SDK talking to the Stripe
 * stand-in: the webhook route (exempt from the origin check and the rate
 * limits, and only that path), the plan gate on a page and an API route,
 * and an app without Stripe keys.
 */
import { match, ok, strictEqual } from "node:assert/strict";
import {
  appTest,
  assertJsonError,
  Client,
  uniqueEmail,
} from "../helpers/auth.ts";
import {
  billingAppTest,
  customerClient,
  deliverWebhook,
} from "../helpers/billing.ts";

billingAppTest(
  "billing: a delivery from anywhere (no Origin, a foreign one) is checked by signature alone; the plan it brings opens the gated page and API",
  async (app, stripe) => {
    const { client, customerId } = await customerClient(app, stripe);
    // Free: the page says how to upgrade, the API refuses with the way.
    const page = await client.get("/pro");
    strictEqual(page.status, 403);
    match(page.text, /Reports are part of the Pro plan/);
    match(page.text, /href="\/settings\/billing"/);
    const refused = await client.get("/api/pro/report");
    assertJsonError(refused, 403);
    strictEqual(refused.json.details.upgrade, "/settings/billing");

    const sub = stripe.addSubscription(customerId, { tier: "pro" });
    const created = await deliverWebhook(
      app,
      stripe,
      stripe.subscriptionEvent("created", sub.id),
      { headers: { origin: "https://evil.example" } },
    );
    strictEqual(created.status, 200, JSON.stringify(created.json));
    strictEqual(created.json.result, "processed");

    const report = await client.get("/api/pro/report");
    strictEqual(report.status, 200, report.text);
    strictEqual(report.json.report.plan, "pro");
    const opened = await client.get("/pro");
    strictEqual(opened.status, 200);
    match(opened.text, /Your Pro plan/);

    // Canceled at Stripe: the next event closes the gate again.
    stripe.updateSubscription(sub.id, { status: "canceled" });
    strictEqual(
      (await deliverWebhook(
        app,
        stripe,
        stripe.subscriptionEvent("deleted", sub.id),
      )).status,
      200,
    );
    assertJsonError(await client.get("/api/pro/report"), 403);
  },
);

billingAppTest(
  "billing: the webhook is not rate-limited, and only its own path is exempt",
  async (app, stripe) => {
    const ip = "198.51.100.7";
    // Past the default limit of 100 a minute per address: all answered.
    for (let i = 0; i < 120; i++) {
      const { status } = await deliverWebhook(app, stripe, "{}", {
        headers: { "stripe-signature": "t=1,v1=bad" },
      });
      strictEqual(status, 400);
    }
    // The same address is not counted by them either.
    const health = await app.fetch("/api/health", {
      headers: { "x-forwarded-for": ip },
    });
    await health.body?.cancel();
    strictEqual(health.status, 200);
    // A neighbouring path gets the origin check.
    for (
      const path of [
        "/api/stripe/webhooks",
        "/api/stripe/webhook/x",
        "/api/stripe",
      ]
    ) {
      const res = await app.fetch(path, {
        method: "POST",
        headers: { origin: "https://evil.example", accept: "application/json" },
        body: "{}",
      });
      await res.body?.cancel();
      strictEqual(res.status, 403, path);
    }
  },
);

billingAppTest(
  "billing: a webhook body over 512 KiB is refused with 413",
  async (app, stripe) => {
    const big = JSON.stringify({ pad: "x".repeat(600 * 1024) });
    const { status, json } = await deliverWebhook(app, stripe, big);
    strictEqual(status, 413);
    strictEqual(json.success, false);
  },
);

billingAppTest(
  "billing: signed out, the gated API is 401 and the page sends to sign-in",
  async (app) => {
    const anonymous = new Client(app);
    assertJsonError(await anonymous.get("/api/pro/report"), 401);
    const page = await anonymous.get("/pro");
    strictEqual(page.status, 303);
    match(page.headers.get("location") ?? "", /^\/login\?next=%2Fpro/);
  },
);

appTest(
  "billing off (no Stripe keys): the app works, the webhook says billing is not configured, the gate stays closed",
  async (app) => {
    const client = new Client(app);
    await client.register(uniqueEmail("nobilling"));
    const hook = await app.fetch("/api/stripe/webhook", {
      method: "POST",
      headers: { "stripe-signature": "t=1,v1=x", accept: "application/json" },
      body: "{}",
    });
    strictEqual(hook.status, 404);
    const body = await hook.json();
    strictEqual(body.success, false);
    strictEqual(body.error, "Billing is not configured on this server.");
    assertJsonError(await client.get("/api/pro/report"), 403);
    const dashboard = await client.get("/dashboard");
    strictEqual(dashboard.status, 200);
    ok(dashboard.text.includes("Free") || dashboard.text.includes("free"));
  },
);
