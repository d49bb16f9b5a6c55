/**
 * Billing over HTTP in tests: an app (in process, on either engine) whose
 * Stripe is a fresh stand-in, and the steps tests share (an account with a
 * Stripe customer, a signed delivery to the webhook).
 *
 * @module
 */
import { strictEqual } from "node:assert/strict";
import { ENGINES } from "../../lib/db/testing.ts";
import { markEmailVerified, updateBilling } from "../../lib/db/users.ts";
import { type AuthApp, Client, uniqueEmail, withApp } from "./auth.ts";
import { type StripeObject, StripeStandin } from "./stripe_standin.ts";

/**
 * Registers one test per engine against an app billing through a fresh
 * stand-in, whose events (checkout and portal pages, `send`) reach the
 * app's webhook.
 *
 * @example
 * ```ts
 * billingAppTest("the webhook answers", async (app, stripe) => {
 *   const res = await app.fetch("/api/stripe/webhook", (await stripe.webhook("{}")).init);
 *   await res.body?.cancel();
 * });
 * ```
 */
export function billingAppTest(
  name: string,
  fn: (app: AuthApp, stripe: StripeStandin) => Promise<void>,
  opts: { env?: Record<string, string> } = {},
): void {
  for (const engine of ENGINES) {
    Deno.test(`${name} [${engine}]`, async () => {
      const stripe = await StripeStandin.start();
      try {
        await withApp((app) => {
          // The stand-in's pages send their events to this app.
          stripe.webhookFetch = (init) =>
            app.fetch("/api/stripe/webhook", {
              ...init,
              headers: {
                ...(init.headers as Record<string, string>),
                "x-forwarded-for": "198.51.100.7",
              },
            });
          return fn(app, stripe);
        }, {
          engine,
          env: { ...stripe.env(), ...opts.env },
        });
      } finally {
        await stripe.close();
      }
    });
  }
}

/**
 * A signed-in client whose account has a Stripe customer at the stand-in
 * (made as checkout makes it: the user id in its metadata).
 *
 * @example
 * ```ts
 * import type { AuthApp } from "./auth.ts";
 * import type { StripeStandin } from "./stripe_standin.ts";
 * declare const app: AuthApp;
 * declare const stripe: StripeStandin;
 * const { client, customerId } = await customerClient(app, stripe);
 * ```
 */
export async function customerClient(
  app: AuthApp,
  stripe: StripeStandin,
): Promise<{ client: Client; customerId: string; userId: string }> {
  const client = new Client(app);
  const email = uniqueEmail("billing");
  const signedIn = await client.register(email);
  const userId = String(signedIn.json.user.id);
  const customer = stripe.addCustomer({ email, metadata: { user_id: userId } });
  const db = await app.openDb();
  try {
    await updateBilling(db, userId, { stripeCustomerId: customer.id });
  } finally {
    await db.close();
  }
  return { client, customerId: customer.id, userId };
}

/**
 * Delivers `event`, signed by the stand-in, to the app's webhook as
 * Stripe does (no Origin, its own address); returns status and JSON.
 *
 * @example
 * ```ts
 * import type { AuthApp } from "./auth.ts";
 * import type { StripeObject, StripeStandin } from "./stripe_standin.ts";
 * declare const app: AuthApp;
 * declare const stripe: StripeStandin;
 * declare const event: StripeObject;
 * const { status } = await deliverWebhook(app, stripe, event);
 * ```
 */
export async function deliverWebhook(
  app: AuthApp,
  stripe: StripeStandin,
  event: StripeObject | string,
  opts: { headers?: Record<string, string>; timestamp?: number } = {},
  // deno-lint-ignore no-explicit-any
): Promise<{ status: number; json: any }> {
  const { init } = await stripe.webhook(event, { timestamp: opts.timestamp });
  const res = await app.fetch("/api/stripe/webhook", {
    ...init,
    headers: {
      ...(init.headers as Record<string, string>),
      "x-forwarded-for": "198.51.100.7",
      ...opts.headers,
    },
  });
  const text = await res.text();
  strictEqual(
    res.headers.get("content-type")?.includes("application/json"),
    true,
    text,
  );
  return { status: res.status, json: JSON.parse(text) };
}

/**
 * A signed-in client whose account's address is confirmed (billing needs
 * it) and has no Stripe customer yet, as after signing up.
 *
 * @example
 * ```ts
 * import type { AuthApp } from "./auth.ts";
 * declare const app: AuthApp;
 * const { client, userId } = await verifiedClient(app);
 * ```
 */
export async function verifiedClient(
  app: AuthApp,
): Promise<{ client: Client; userId: string; email: string }> {
  const client = new Client(app);
  const email = uniqueEmail("billing");
  const signedIn = await client.register(email);
  const userId = String(signedIn.json.user.id);
  const db = await app.openDb();
  try {
    await markEmailVerified(db, userId);
  } finally {
    await db.close();
  }
  return { client, userId, email };
}

/** The billing states {@linkcode billingAccount} makes. */
export type BillingKind = "free" | "active" | "past_due" | "canceling";

/**
 * A signed-in client of a confirmed account in billing state `kind`:
 * `free` (no customer yet), or a Pro subscription at the stand-in that is
 * active, past due or canceling at its period's end, told to the app by
 * a signed webhook delivery as Stripe would. Works against an app built
 * in process or served (`deliverWebhook` goes through `app.fetch`).
 *
 * @example
 * ```ts
 * import type { AuthApp } from "./auth.ts";
 * import type { StripeStandin } from "./stripe_standin.ts";
 * declare const app: AuthApp;
 * declare const stripe: StripeStandin;
 * const { client } = await billingAccount(app, stripe, "past_due");
 * ```
 */
export async function billingAccount(
  app: AuthApp,
  stripe: StripeStandin,
  kind: BillingKind,
  opts: { userAgent?: string } = {},
): Promise<{ client: Client; userId: string }> {
  const client = new Client(app, { userAgent: opts.userAgent });
  const email = uniqueEmail(`billing-${kind}`);
  const userId = String((await client.register(email)).json.user.id);
  const db = await app.openDb();
  try {
    await markEmailVerified(db, userId);
    if (kind === "free") return { client, userId };
    const customer = stripe.addCustomer({
      email,
      metadata: { user_id: userId },
    });
    await updateBilling(db, userId, { stripeCustomerId: customer.id });
    const sub = stripe.addSubscription(customer.id, { tier: "pro" });
    stripe.updateSubscription(sub.id, {
      status: kind === "past_due" ? "past_due" : "active",
      cancelAtPeriodEnd: kind === "canceling",
    });
    const told = await deliverWebhook(
      app,
      stripe,
      stripe.subscriptionEvent("updated", sub.id),
    );
    strictEqual(told.status, 200, JSON.stringify(told.json));
    return { client, userId };
  } finally {
    await db.close();
  }
}
