/**
 * Deleting an account that pays: its subscription is cancelled and its
 * Stripe customer deleted before any row goes; when Stripe cannot be
 * reached (or billing is off on this server) the deletion is refused with
 * a clear message and nothing is deleted. Real SDK, the stand-in, both
 * engines.
 */
import { match, ok, strictEqual } from "node:assert/strict";
import { updateBilling } from "../../lib/db/users.ts";
import {
  appTest,
  assertJsonError,
  Client,
  PASSWORD,
  uniqueEmail,
} from "../helpers/auth.ts";
import {
  billingAppTest,
  customerClient,
  deliverWebhook,
} from "../helpers/billing.ts";

async function userCount(
  app: Parameters<typeof customerClient>[0],
  id: string,
): Promise<number> {
  const db = await app.openDb();
  try {
    return Number(
      (await db.get("SELECT count(*) AS n FROM users WHERE id = ?", [id]))?.n,
    );
  } finally {
    await db.close();
  }
}

billingAppTest(
  "deleting a paying account cancels its subscription and deletes its Stripe customer; later events find no one",
  async (app, stripe) => {
    const { client, customerId, userId } = await customerClient(app, stripe);
    const sub = stripe.addSubscription(customerId, { tier: "team" });
    const res = await client.delete("/api/account", {
      json: { password: PASSWORD },
    });
    strictEqual(res.status, 200, res.text);
    strictEqual(stripe.subscriptions.get(sub.id)?.status, "canceled");
    strictEqual(stripe.customers.get(customerId)?.deleted, true);
    strictEqual(await userCount(app, userId), 0);
    // Stripe's events about the cancellation arrive after the account went.
    const late = await deliverWebhook(
      app,
      stripe,
      stripe.subscriptionEvent("deleted", sub.id),
    );
    strictEqual(late.status, 200);
    strictEqual(late.json.result, "processed");
  },
);

billingAppTest(
  "Stripe unreachable: the deletion is refused with a clear message and nothing is deleted; it works once Stripe is back",
  async (app, stripe) => {
    const { client, customerId, userId } = await customerClient(app, stripe);
    const sub = stripe.addSubscription(customerId);
    stripe.failNext(2, { status: 503 });
    const refused = await client.delete("/api/account", {
      json: { password: PASSWORD },
    });
    assertJsonError(refused, 503);
    match(refused.json.error, /could not reach our payment provider/);
    match(refused.json.error, /nothing was deleted/);
    ok(refused.headers.get("retry-after"));
    strictEqual(await userCount(app, userId), 1);
    strictEqual(stripe.subscriptions.get(sub.id)?.status, "active");
    strictEqual(await client.meStatus(), 200, "still signed in");
    // Stripe is back: the same request deletes it all.
    const again = await client.delete("/api/account", {
      json: { password: PASSWORD },
    });
    strictEqual(again.status, 200, again.text);
    strictEqual(await userCount(app, userId), 0);
    strictEqual(stripe.subscriptions.get(sub.id)?.status, "canceled");
  },
);

billingAppTest(
  "the page form says why when Stripe is out of reach",
  async (app, stripe) => {
    const { client, customerId, userId } = await customerClient(app, stripe);
    stripe.addSubscription(customerId);
    stripe.failNext(2, { status: 500 });
    const page = await client.request("POST", "/settings/delete", {
      form: { password: PASSWORD },
      headers: { accept: "text/html" },
    });
    strictEqual(page.status, 503);
    match(page.text, /could not reach our payment provider/);
    strictEqual(await userCount(app, userId), 1);
  },
);

billingAppTest(
  "a customer already deleted at Stripe does not stop the deletion",
  async (app, stripe) => {
    const { client, customerId, userId } = await customerClient(app, stripe);
    stripe.customers.set(customerId, {
      id: customerId,
      object: "customer",
      deleted: true,
    });
    const res = await client.delete("/api/account", {
      json: { password: PASSWORD },
    });
    strictEqual(res.status, 200, res.text);
    strictEqual(await userCount(app, userId), 0);
  },
);

appTest(
  "billing off on this server, yet the account has a Stripe customer: the deletion is refused, not orphaned",
  async (app) => {
    const client = new Client(app);
    const signedIn = await client.register(uniqueEmail("orphan"));
    const db = await app.openDb();
    try {
      await updateBilling(db, signedIn.json.user.id, {
        stripeCustomerId: "cus_elsewhere",
      });
    } finally {
      await db.close();
    }
    const refused = await client.delete("/api/account", {
      json: { password: PASSWORD },
    });
    assertJsonError(refused, 503);
    match(refused.json.error, /billing is not configured/);
    strictEqual(await userCount(app, signedIn.json.user.id), 1);
  },
);
