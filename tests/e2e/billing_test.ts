/**
 * Billing end to end in Chromium against the built app, its Stripe being
 * the stand-in (its checkout and portal pages stand where Stripe's hosted
 * pages are, and send their signed events to the app's webhook a moment
 * after the browser leaves, as Stripe does): sign up and sign in, the Pro
 * page says to upgrade, Settings → Billing → Upgrade to Pro, the
 * stand-in's checkout, Pay, back on the billing page ("your plan will show
 * here in a moment"), reloaded until the webhook has landed and the plan
 * shows, the Pro page opens; then Manage billing, "Cancel plan" in the
 * portal, Return, and the page says when the plan ends.
 *
 * Once with JavaScript (the island: a double press starts one checkout)
 * on SQLite, once without it on PostgreSQL: every button is a plain form
 * whose POST is answered with a 303 to the stand-in, which Chromium checks
 * against the CSP's form-action. No console error and no CSP violation.
 */
import { deepStrictEqual, match, ok, strictEqual } from "node:assert/strict";
import type { Engine } from "../../lib/db/db.ts";
import { createPgDatabase, dropPgDatabase } from "../../lib/db/testing.ts";
import { openPostgres } from "../../lib/db/postgres.ts";
import { getUserByEmail, markEmailVerified } from "../../lib/db/users.ts";
import { PASSWORD, startServedApp, uniqueEmail } from "../helpers/auth.ts";
import {
  islandsHydrated,
  launchBrowser,
  type Page,
  trackErrors,
} from "../helpers/browser.ts";
import { StripeStandin } from "../helpers/stripe_standin.ts";

/** Chromium logs a page answered with its own 4xx (the plan gate's 403). */
const GATE_403 = /status of 403/;

/** Reloads until the billing page shows `plan` (the webhook has landed). */
async function untilPlan(page: Page, plan: string): Promise<number> {
  for (let reloads = 0; reloads < 40; reloads++) {
    const shown = await page.getByTestId("billing-plan").textContent();
    if (shown?.trim() === plan) return reloads;
    await new Promise((r) => setTimeout(r, 250));
    await page.reload();
  }
  throw new Error(`the billing page never showed the ${plan} plan`);
}

const RUNS: { engine: Engine; javaScriptEnabled: boolean }[] = [
  { engine: "sqlite", javaScriptEnabled: true },
  { engine: "postgres", javaScriptEnabled: false },
];

for (const { engine, javaScriptEnabled } of RUNS) {
  const how = javaScriptEnabled ? "with JavaScript" : "without JavaScript";
  Deno.test(`Chromium: upgrade to Pro through checkout, the webhook brings the plan, the Pro page opens, cancel in the portal shows the end date, ${how} [${engine}]`, async () => {
    const stripe = await StripeStandin.start();
    const pg = engine === "postgres" ? await createPgDatabase(true) : null;
    const app = await startServedApp({
      env: { ...stripe.env(), ...(pg === null ? {} : { DATABASE_URL: pg }) },
    });
    stripe.webhookUrl = `${app.url}/api/stripe/webhook`;
    // Stripe's events follow the browser back a moment later.
    stripe.webhookDelayMs = 700;
    const base = app.origin;
    const browser = await launchBrowser();
    try {
      const context = await browser.newContext({ javaScriptEnabled });
      const { page, consoleErrors, cspViolations } = trackErrors(
        await context.newPage(),
      );
      const email = uniqueEmail(`e2e-billing-${engine}`);

      // Sign up, confirm the address (billing needs it; the mailed link
      // has its own end-to-end test), sign in.
      await page.goto(`${base}/signup`);
      await page.getByLabel("Email").fill(email);
      await page.getByLabel("Password").fill(PASSWORD);
      await page.getByRole("button", { name: "Create account" }).click();
      await page.getByTestId("check-inbox").waitFor();
      // The served app's helper opens its SQLite file; PostgreSQL by URL.
      const db = pg === null ? await app.openDb() : await openPostgres(pg);
      try {
        const user = await getUserByEmail(db, email);
        await markEmailVerified(db, user!.id);
      } finally {
        await db.close();
      }
      await page.goto(`${base}/login`);
      await page.getByLabel("Email").fill(email);
      await page.getByLabel("Password").fill(PASSWORD);
      await page.getByRole("button", { name: "Sign in" }).click();
      await page.waitForURL(`${base}/dashboard`);

      // The Pro page: upgrade first.
      const gated = await page.goto(`${base}/pro`);
      strictEqual(gated?.status(), 403);
      await page.getByRole("heading", { name: "Upgrade to see reports" })
        .waitFor();

      // Settings → Billing.
      await page.getByRole("navigation", { name: "Account" })
        .getByRole("link", { name: "Settings" }).click();
      await page.waitForURL(`${base}/settings`);
      await page.getByRole("navigation", { name: "Settings sections" })
        .getByRole("link", { name: "Billing" }).click();
      await page.waitForURL(`${base}/settings/billing`);
      strictEqual(
        (await page.getByTestId("billing-plan").textContent())?.trim(),
        "Free",
      );

      // Upgrade → the stand-in's checkout (a 303 past form-action).
      const upgrade = page.getByRole("button", { name: "Upgrade to Pro" });
      if (javaScriptEnabled) {
        await islandsHydrated(page);
        // Pressed again while the first answer is on its way (Stripe made
        // slow): the island lets one form go. Without it, Chromium drops
        // the first navigation and posts again: two checkouts.
        stripe.delayNext(1, 600, { path: /^\/v1\/checkout\/sessions$/ });
        await page.evaluate(async () => {
          const button = [...document.querySelectorAll("button")].find((b) =>
            b.textContent?.trim() === "Upgrade to Pro"
          )!;
          button.click();
          await new Promise((r) => setTimeout(r, 150));
          button.click();
        });
      } else {
        await upgrade.click();
      }
      await page.waitForURL(new RegExp(`^${stripe.url}/checkout/cs_test_`));
      strictEqual(stripe.checkoutSessions.size, 1, "one checkout started");
      const [customer] = [...stripe.customers.values()];
      strictEqual(customer.email, email);
      match(
        (await page.getByTestId("standin-price").textContent()) ?? "",
        /price_islet_pro/,
      );
      await page.getByRole("button", { name: "Pay" }).click();

      // Back on-site before the webhook: the page says the plan is coming.
      await page.waitForURL(`${base}/settings/billing?checkout=done`);
      match(
        (await page.getByTestId("notice").textContent()) ?? "",
        /your plan will show here in a moment/,
      );
      const reloads = await untilPlan(page, "Pro");
      console.log(`  the plan showed after ${reloads} reload(s)`);
      strictEqual(
        (await page.getByTestId("billing-status").textContent())?.trim(),
        "Active",
      );
      strictEqual(
        (await page.getByTestId("billing-card").textContent())?.trim(),
        "Visa ending in 4242",
      );
      strictEqual(await page.getByText("Renews on").count(), 1);
      await stripe.settled();
      deepStrictEqual(stripe.deliveryErrors, []);

      // The Pro page opens.
      const opened = await page.goto(`${base}/pro`);
      strictEqual(opened?.status(), 200);
      await page.getByRole("heading", { name: "Your Pro plan" }).waitFor();

      // Manage billing → the portal: cancel, return; the page says when it ends.
      await page.goto(`${base}/settings/billing`);
      if (javaScriptEnabled) await islandsHydrated(page);
      await page.getByRole("button", { name: "Manage billing" }).click();
      await page.waitForURL(new RegExp(`^${stripe.url}/portal/bps_`));
      await page.getByRole("button", { name: "Cancel plan" }).click();
      await page.getByTestId("standin-subscription").filter({
        hasText: "ends",
      }).waitFor();
      await page.getByRole("link", { name: "Return" }).click();
      await page.waitForURL(`${base}/settings/billing`);
      const sub = [...stripe.subscriptions.values()][0];
      const end = new Date(sub.items.data[0].current_period_end * 1000);
      strictEqual(await page.getByText("Ends on").count(), 1);
      strictEqual(
        await page.getByTestId("billing-date").locator("time").getAttribute(
          "datetime",
        ),
        end.toISOString(),
      );
      ok(
        /^[A-Z][a-z]{2} \d{1,2}, \d{4}$/.test(
          (await page.getByTestId("billing-date").textContent())?.trim() ?? "",
        ),
      );
      strictEqual(await page.getByText("Renews on").count(), 0);

      deepStrictEqual(consoleErrors.filter((e) => !GATE_403.test(e)), []);
      deepStrictEqual(cspViolations, []);
      await context.close();
    } finally {
      await browser.close();
      await app.stop();
      await stripe.close();
      if (pg !== null) await dropPgDatabase(pg);
    }
  });
}
