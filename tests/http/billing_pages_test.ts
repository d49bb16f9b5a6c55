/**
 * The billing page, its buttons and the JSON endpoints over HTTP on both
 * engines, the real SDK talking to the Stripe stand-in: checkout from the
 * page (the customer made first, a 303 to Stripe, paying there brings the
 * plan through the webhook, a second checkout goes to the portal), what
 * the page shows for each state, the failed-payment banner, the portal,
 * and every refusal (invalid plan, unconfirmed address, Stripe out of
 * reach, the per-account limit, billing not configured).
 */
import { deepStrictEqual, match, ok, strictEqual } from "node:assert/strict";
import { getUserById, markEmailVerified } from "../../lib/db/users.ts";
import {
  type Answer,
  appTest,
  assertJsonError,
  Client,
  uniqueEmail,
} from "../helpers/auth.ts";
import {
  billingAppTest,
  customerClient,
  deliverWebhook,
  verifiedClient,
} from "../helpers/billing.ts";
import type { AuthApp } from "../helpers/auth.ts";
import { HTML } from "../helpers/pages.ts";
import type { StripeObject, StripeStandin } from "../helpers/stripe_standin.ts";

/** The page as shown: island props (a script) left out. */
function shown(a: Answer): string {
  return a.text.replace(/<script[\s\S]*?<\/script>/g, "");
}

/** The text of the element with `data-testid="<id>"`, or null. */
function testId(a: Answer, id: string): string | null {
  const m = shown(a).match(
    new RegExp(`data-testid="${id}"[^>]*>([\\s\\S]*?)</(?:dd|p|a|section)>`),
  );
  return m === null ? null : m[1].replace(/<[^>]+>/g, "").trim();
}

function billingPage(client: Client, path = "/settings/billing") {
  return client.get(path, { headers: HTML });
}

function press(client: Client, form: Record<string, string>) {
  return client.post("/settings/billing", { form, headers: HTML });
}

/** Pays at the stand-in's checkout page, as a browser would; returns where it sent the browser. */
async function payAt(stripe: StripeStandin, url: string): Promise<string> {
  const page = await fetch(url);
  match(await page.text(), /<button type="submit">Pay<\/button>/);
  const paid = await fetch(url, { method: "POST", redirect: "manual" });
  await paid.body?.cancel();
  strictEqual(paid.status, 303);
  await stripe.settled();
  deepStrictEqual(stripe.deliveryErrors, []);
  return paid.headers.get("location")!;
}

billingAppTest(
  "billing page: Upgrade makes the customer first (user id in its metadata) and 303s to Stripe; paying there brings the plan by webhook; the gate opens; a second checkout goes to the portal",
  async (app, stripe) => {
    const { client, userId } = await verifiedClient(app);
    strictEqual((await client.get("/pro", { headers: HTML })).status, 403);

    const page = await billingPage(client);
    strictEqual(page.status, 200);
    strictEqual(testId(page, "billing-plan"), "Free");
    match(shown(page), /Upgrade to Pro/);
    match(shown(page), /Upgrade to Team/);
    ok(
      !shown(page).includes("Manage billing"),
      "no customer: nothing to manage",
    );
    // The 303 to the stand-in's pages is allowed as a form's target.
    match(
      page.headers.get("content-security-policy") ?? "",
      new RegExp(
        `form-action 'self' [^;]*${stripe.url.replaceAll(".", "\\.")}`,
      ),
    );

    const go = await press(client, { action: "checkout", plan: "pro" });
    strictEqual(go.status, 303, go.text);
    const to = go.headers.get("location")!;
    ok(to.startsWith(`${stripe.url}/checkout/cs_test_`), to);
    strictEqual(stripe.customers.size, 1);
    const [customer] = [...stripe.customers.values()];
    deepStrictEqual(customer.metadata, { user_id: userId });
    const db = await app.openDb();
    try {
      strictEqual(
        (await getUserById(db, userId))?.stripeCustomerId,
        customer.id,
      );
    } finally {
      await db.close();
    }
    const session = stripe.checkoutSessions.get(to.split("/").pop()!)!;
    strictEqual(session.customer, customer.id);
    strictEqual(session.client_reference_id, userId);

    const back = await payAt(stripe, to);
    strictEqual(back, `${app.origin}/settings/billing?checkout=done`);
    const done = await billingPage(
      client,
      new URL(back).pathname + "?checkout=done",
    );
    strictEqual(done.status, 200);
    match(testId(done, "notice") ?? "", /^Thanks! Stripe has your payment/);
    strictEqual(testId(done, "billing-plan"), "Pro");
    strictEqual(testId(done, "billing-status"), "Active");
    match(shown(done), /Renews on/);
    strictEqual(testId(done, "billing-card"), "Visa ending in 4242");
    match(shown(done), /data-testid="billing-invoice"/);
    match(shown(done), /Manage billing/);
    ok(
      !shown(done).includes("Upgrade to"),
      "a live plan is changed in the portal",
    );
    strictEqual((await client.get("/pro", { headers: HTML })).status, 200);
    strictEqual((await client.get("/api/pro/report")).status, 200);

    // While it is live, a checkout (page or JSON) is the portal instead.
    const again = await press(client, { action: "checkout", plan: "team" });
    strictEqual(again.status, 303);
    ok(again.headers.get("location")!.startsWith(`${stripe.url}/portal/`));
    const api = await client.post("/api/billing/checkout", {
      json: { plan: "team" },
    });
    strictEqual(api.status, 200, api.text);
    strictEqual(api.json.to, "portal");
    ok(api.json.url.startsWith(`${stripe.url}/portal/`));
    strictEqual(stripe.checkoutSessions.size, 1, "no second checkout");
    strictEqual(stripe.customers.size, 1, "no second customer");
  },
);

billingAppTest(
  "billing page: the return URL's query only chooses a sentence; the plan shown is Stripe's",
  async (app, stripe) => {
    const { client } = await verifiedClient(app);
    const done = await billingPage(client, "/settings/billing?checkout=done");
    match(testId(done, "notice") ?? "", /your plan will show here in a moment/);
    strictEqual(testId(done, "billing-plan"), "Free");
    const canceled = await billingPage(
      client,
      "/settings/billing?checkout=canceled",
    );
    strictEqual(
      testId(canceled, "notice"),
      "Checkout was canceled. Nothing was charged.",
    );
    for (const q of ["?checkout=__proto__", "?checkout=<b>", "?plan=pro"]) {
      const other = await billingPage(client, `/settings/billing${q}`);
      strictEqual(other.status, 200);
      strictEqual(testId(other, "notice"), null, q);
    }
    strictEqual(stripe.calls.length, 0, "a visit calls Stripe for nothing");
  },
);

/** A verified customer whose subscription is in `status` (told by webhook). */
async function subscriber(
  app: AuthApp,
  stripe: StripeStandin,
  o: { status?: string; cancel?: boolean } = {},
) {
  const made = await customerClient(app, stripe);
  const db = await app.openDb();
  try {
    await markEmailVerified(db, made.userId);
  } finally {
    await db.close();
  }
  const sub = stripe.addSubscription(made.customerId, {
    card: { brand: "mastercard", last4: "4444" },
  });
  stripe.updateSubscription(sub.id, {
    status: o.status,
    cancelAtPeriodEnd: o.cancel,
  });
  const told = await deliverWebhook(
    app,
    stripe,
    stripe.subscriptionEvent("updated", sub.id),
  );
  strictEqual(told.status, 200, JSON.stringify(told.json));
  return { ...made, sub };
}

billingAppTest(
  "billing page: what it shows when active, canceling, past due, unpaid and canceled",
  async (app, stripe) => {
    const end = (sub: StripeObject) =>
      new Date(sub.items.data[0].current_period_end * 1000).toISOString();

    const active = await subscriber(app, stripe);
    let page = await billingPage(active.client);
    strictEqual(testId(page, "billing-plan"), "Pro");
    strictEqual(testId(page, "billing-status"), "Active");
    match(
      shown(page),
      new RegExp(`Renews on</dt>[\\s\\S]*datetime="${end(active.sub)}"`),
    );
    strictEqual(testId(page, "billing-card"), "Mastercard ending in 4444");
    strictEqual(testId(page, "payment-banner"), null);

    const canceling = await subscriber(app, stripe, { cancel: true });
    page = await billingPage(canceling.client);
    strictEqual(testId(page, "billing-status"), "Active; it will not renew");
    match(
      shown(page),
      new RegExp(`Ends on</dt>[\\s\\S]*datetime="${end(canceling.sub)}"`),
    );
    ok(!shown(page).includes("Renews on"));

    const late = await subscriber(app, stripe, { status: "past_due" });
    page = await billingPage(late.client);
    strictEqual(testId(page, "billing-plan"), "Pro", "past due keeps the plan");
    strictEqual(
      testId(page, "billing-status"),
      "Payment failed: Stripe will try again",
    );
    match(shown(page), /Update your card under Manage billing/);

    const unpaid = await subscriber(app, stripe, { status: "unpaid" });
    page = await billingPage(unpaid.client);
    strictEqual(testId(page, "billing-plan"), "Free", "unpaid grants nothing");
    match(testId(page, "billing-status") ?? "", /^Unpaid/);
    ok(!shown(page).includes("Upgrade to"), "still live: fixed in the portal");

    const ended = await subscriber(app, stripe, { status: "canceled" });
    page = await billingPage(ended.client);
    strictEqual(testId(page, "billing-plan"), "Free");
    strictEqual(testId(page, "billing-status"), "Canceled");
    match(shown(page), /Upgrade to Pro/);
    match(shown(page), /Manage billing/);
  },
);

billingAppTest(
  "the failed-payment banner: on every signed-in page for past due and unpaid only; its button opens the portal",
  async (app, stripe) => {
    const pages = ["/", "/dashboard", "/settings", "/settings/billing", "/pro"];
    for (const status of ["past_due", "unpaid"]) {
      const { client, customerId } = await subscriber(app, stripe, { status });
      for (const path of pages) {
        const page = await client.get(path, { headers: HTML });
        const banner = shown(page).match(
          /<section[^>]*data-testid="payment-banner"[^>]*data-problem="([a-z_]+)"/,
        );
        strictEqual(banner?.[1], status, `${status} on ${path}`);
      }
      const fix = await press(client, { action: "portal" });
      strictEqual(fix.status, 303);
      const portal = fix.headers.get("location")!;
      ok(portal.startsWith(`${stripe.url}/portal/`), portal);
      const session = stripe.portalSessions.get(portal.split("/").pop()!)!;
      strictEqual(session.customer, customerId);
      strictEqual(session.return_url, `${app.origin}/settings/billing`);
    }
    for (const o of [{}, { cancel: true }, { status: "canceled" }]) {
      const { client } = await subscriber(app, stripe, o);
      for (const path of pages) {
        const page = await client.get(path, { headers: HTML });
        ok(
          !page.text.includes("payment-banner"),
          `${JSON.stringify(o)} ${path}`,
        );
      }
    }
    const free = await verifiedClient(app);
    ok(!(await billingPage(free.client)).text.includes("payment-banner"));
    // Signed out: no banner, whoever's cookie it was.
    const anonymous = await new Client(app).get("/", { headers: HTML });
    ok(!anonymous.text.includes("payment-banner"));
  },
);

billingAppTest(
  "the banner follows Stripe: paid again, the webhook takes it away on the next page",
  async (app, stripe) => {
    const { client, sub } = await subscriber(app, stripe, {
      status: "past_due",
    });
    match(
      (await client.get("/dashboard", { headers: HTML })).text,
      /payment-banner/,
    );
    stripe.updateSubscription(sub.id, { status: "active" });
    const paid = await deliverWebhook(
      app,
      stripe,
      stripe.invoiceEvent("paid", sub.id),
    );
    strictEqual(paid.status, 200);
    ok(
      !(await client.get("/dashboard", { headers: HTML })).text.includes(
        "payment-banner",
      ),
    );
  },
);

billingAppTest(
  "portal: the page's Manage billing and the JSON endpoint; without a customer 404 and a plain sentence",
  async (app, stripe) => {
    const { client, customerId } = await subscriber(app, stripe);
    const page = await press(client, { action: "portal" });
    strictEqual(page.status, 303);
    ok(page.headers.get("location")!.startsWith(`${stripe.url}/portal/`));
    const api = await client.post("/api/billing/portal");
    strictEqual(api.status, 200, api.text);
    ok(api.json.url.startsWith(`${stripe.url}/portal/`));
    strictEqual(
      stripe.portalSessions.get(api.json.url.split("/").pop())?.customer,
      customerId,
    );

    const { client: fresh } = await verifiedClient(app);
    const none = await fresh.post("/api/billing/portal");
    assertJsonError(none, 404);
    match(none.json.error, /no subscription to manage yet/);
    const nonePage = await press(fresh, { action: "portal" });
    strictEqual(nonePage.status, 404);
    match(
      shown(nonePage),
      /role="alert"[^>]*>You have no subscription to manage yet/,
    );
  },
);

billingAppTest(
  "checkout refusals: a plan that is not sold, no plan, an unconfirmed address, a form that says nothing, a malformed body, signed out",
  async (app, stripe) => {
    const { client } = await verifiedClient(app);
    for (const plan of ["free", "enterprise", "__proto__", ""]) {
      const api = await client.post("/api/billing/checkout", {
        json: { plan },
      });
      assertJsonError(api, 400);
      strictEqual(api.json.details.plan, "Choose the Pro or the Team plan.");
    }
    assertJsonError(
      await client.post("/api/billing/checkout", { json: {} }),
      400,
    );
    assertJsonError(
      await client.post("/api/billing/checkout", { json: { plan: ["pro"] } }),
      400,
    );
    const page = await press(client, { action: "checkout", plan: "gold" });
    strictEqual(page.status, 400);
    match(
      shown(page),
      /role="alert"[^>]*>Choose a plan to buy. Choose the Pro or the Team plan./,
    );
    const nothing = await press(client, { plan: "pro" });
    strictEqual(nothing.status, 400);
    match(shown(nothing), /That form did not say what to do/);
    assertJsonError(
      await client.post("/api/billing/checkout", {
        body: "plan=pro",
        headers: { "content-type": "text/plain" },
      }),
      415,
    );
    assertJsonError(
      await client.post("/api/billing/checkout", {
        body: "{",
        headers: { "content-type": "application/json" },
      }),
      400,
    );
    const malformedPage = await client.post("/settings/billing", {
      body: "{",
      headers: { ...HTML, "content-type": "application/json" },
    });
    strictEqual(malformedPage.status, 400);

    const unverified = new Client(app);
    await unverified.register(uniqueEmail("unverified"));
    const refused = await unverified.post("/api/billing/checkout", {
      json: { plan: "pro" },
    });
    assertJsonError(refused, 403);
    match(refused.json.error, /^Confirm your email address to choose a plan/);
    const shownToThem = await billingPage(unverified);
    ok(!shown(shownToThem).includes("Upgrade to"));
    match(
      testId(shownToThem, "billing-unavailable") ?? "",
      /^Confirm your email address to choose a plan/,
    );

    assertJsonError(
      await new Client(app).post("/api/billing/checkout", {
        json: { plan: "pro" },
      }),
      401,
    );
    assertJsonError(await new Client(app).post("/api/billing/portal"), 401);
    strictEqual(stripe.checkoutSessions.size, 0, "nothing was started");
  },
);

billingAppTest(
  "Stripe out of reach: checkout and portal answer 503 with a plain sentence and Retry-After, page and JSON; nothing was charged",
  async (app, stripe) => {
    const { client } = await verifiedClient(app);
    // The SDK retries once: two failures are one refused request.
    stripe.failNext(2, { path: /^\/v1\/customers$/, method: "POST" });
    const api = await client.post("/api/billing/checkout", {
      json: { plan: "pro" },
    });
    assertJsonError(api, 503);
    strictEqual(
      api.json.error,
      "We could not reach our payment provider. Nothing was charged; please try again in a minute.",
    );
    strictEqual(api.headers.get("retry-after"), "30");
    stripe.failNext(2, { path: /^\/v1\/customers$/, method: "POST" });
    const page = await press(client, { action: "checkout", plan: "pro" });
    strictEqual(page.status, 503);
    strictEqual(page.headers.get("retry-after"), "30");
    match(
      shown(page),
      /role="alert"[^>]*>We could not reach our payment provider/,
    );
    strictEqual(stripe.checkoutSessions.size, 0);

    // Once it answers again, the same button works.
    const ok303 = await press(client, { action: "checkout", plan: "pro" });
    strictEqual(ok303.status, 303);

    stripe.failNext(2, { path: /^\/v1\/billing_portal\/sessions$/ });
    const portal = await client.post("/api/billing/portal");
    assertJsonError(portal, 503);
    match(portal.json.error, /could not reach our payment provider/);
  },
);

billingAppTest(
  "checkout and portal are limited per account (20 in 15 minutes), page and JSON together",
  async (app) => {
    const { client } = await verifiedClient(app);
    for (let i = 0; i < 20; i++) {
      const res = await client.post("/api/billing/portal");
      strictEqual(res.status, 404, `request ${i + 1}`);
    }
    const limited = await client.post("/api/billing/checkout", {
      json: { plan: "pro" },
    });
    assertJsonError(limited, 429);
    ok(Number(limited.headers.get("retry-after")) > 0);
    const page = await press(client, { action: "portal" });
    strictEqual(page.status, 429);
    match(shown(page), /Too many requests for this account/);
    // Another account is not affected.
    const other = await verifiedClient(app);
    strictEqual((await other.client.post("/api/billing/portal")).status, 404);
  },
);

appTest(
  "billing not configured: the page says so and offers nothing, the endpoints answer 404 with the same sentence, no banner",
  async (app) => {
    const { client } = await verifiedClient(app);
    const page = await billingPage(client);
    strictEqual(page.status, 200);
    strictEqual(testId(page, "billing-plan"), "Free");
    strictEqual(
      testId(page, "billing-unavailable"),
      "Billing is not configured on this server.",
    );
    ok(!shown(page).includes("Upgrade to"));
    ok(!shown(page).includes("Manage billing"));
    for (const path of ["/api/billing/checkout", "/api/billing/portal"]) {
      const res = await client.post(path, { json: { plan: "pro" } });
      assertJsonError(res, 404);
      strictEqual(res.json.error, "Billing is not configured on this server.");
    }
    const pressed = await press(client, { action: "checkout", plan: "pro" });
    strictEqual(pressed.status, 404);
    match(shown(pressed), /role="alert"[^>]*>Billing is not configured/);
    // The CSP is design.md's.
    match(
      page.headers.get("content-security-policy") ?? "",
      /form-action 'self' https:\/\/checkout\.stripe\.com https:\/\/billing\.stripe\.com(;|$)/,
    );
  },
);
