/**
 * Sign-up and sign-in through providers in real Chromium, against the
 * served app on SQLite and PostgreSQL, with the tests' real providers: an
 * oidc-provider ("Acme SSO" and "Google"; the test fills in ITS login and
 * consent pages) and the GitHub stand-in (its authorize page). A new
 * account through Acme, the same person back through GitHub (linked by
 * the verified address), two-factor after Google exactly as after a
 * password, a person who says no (the failure page and its way back to
 * the password form), and, without JavaScript, a sign-up through GitHub
 * with an unverified address (signed in, asked to confirm it). No console
 * error but the failure page's own status, no CSP violation.
 */
import { match, ok, strictEqual } from "node:assert/strict";
import type { Engine } from "../../lib/db/db.ts";
import {
  createPgDatabase,
  dropPgDatabase,
  ENGINES,
} from "../../lib/db/testing.ts";
import { type AuthApp, nextIp, startServedApp } from "../helpers/auth.ts";
import {
  type Browser,
  launchBrowser,
  type Page,
  trackErrors,
} from "../helpers/browser.ts";
import {
  githubLoginInPage,
  type OAuthStandins,
  oidcLoginInPage,
  startOAuthStandins,
} from "../helpers/oauth.ts";
import { twoFactorAccount } from "../helpers/two_factor.ts";

interface World {
  app: AuthApp;
  base: string;
  standins: OAuthStandins;
  browser: Browser;
}

function e2eTest(
  name: string,
  fn: (w: World) => Promise<void>,
  engines: readonly Engine[] = ENGINES,
) {
  for (const engine of engines) {
    Deno.test(`Chromium: ${name} [${engine}]`, async () => {
      const standins = await startOAuthStandins();
      const dbUrl = engine === "postgres" ? await createPgDatabase(true) : null;
      let app: AuthApp | null = null;
      let browser: Browser | null = null;
      try {
        app = await startServedApp({
          env: standins.env(dbUrl ? { DATABASE_URL: dbUrl } : {}),
        });
        standins.registerApp(app.origin);
        browser = await launchBrowser();
        await fn({ app, base: app.origin, standins, browser });
      } finally {
        await browser?.close();
        await app?.stop();
        await standins.stop();
        if (dbUrl) await dropPgDatabase(dbUrl);
      }
    });
  }
}

/** Clicks "Continue with <name>" and waits until the browser is at the provider. */
async function continueWith(page: Page, name: string, provider: string) {
  await page.getByRole("link", { name: `Continue with ${name}` }).click();
  await page.waitForURL((url) => url.origin === new URL(provider).origin);
}

async function signOut(page: Page, base: string) {
  await page.getByRole("button", { name: "Sign out", exact: true }).click();
  await page.waitForURL(`${base}/login`);
}

/** The signed-in account's email, as the server knows it. */
async function whoAmI(page: Page, base: string): Promise<string | null> {
  const res = await page.request.get(`${base}/api/auth/me`);
  if (res.status() !== 200) return null;
  return (await res.json()).user.email;
}

e2eTest(
  "sign up with an OpenID Connect provider, back with GitHub, two-factor after Google, and a refusal at the provider",
  async ({ app, base, standins, browser }) => {
    // A network of its own (the test is the app's trusted proxy): each
    // flow counts against the auth limit (its start), a code too, and
    // this person signs in six times in a minute.
    const context = await browser.newContext({
      extraHTTPHeaders: { "x-forwarded-for": nextIp() },
    });
    const { page, consoleErrors } = trackErrors(await context.newPage());
    try {
      // 1. Sign up through Acme SSO: its login and consent pages.
      await page.goto(`${base}/signup`);
      await continueWith(page, "Acme SSO", standins.acme.issuer);
      await oidcLoginInPage(page, "alice", { issuer: standins.acme.issuer });
      await page.waitForURL(`${base}/dashboard`);
      strictEqual(await whoAmI(page, base), "alice@example.com");
      await signOut(page, base);

      // 2. Back through GitHub: the verified address finds the same account.
      await page.goto(`${base}/login?next=%2Fsettings%2Fsessions`);
      await continueWith(page, "GitHub", standins.github.webUrl);
      await githubLoginInPage(page, "alice");
      await page.waitForURL(`${base}/settings/sessions`);
      strictEqual(await whoAmI(page, base), "alice@example.com");
      await signOut(page, base);

      // 3. Two-factor after Google, as after a password (from another
      // network: see above).
      await context.setExtraHTTPHeaders({ "x-forwarded-for": nextIp() });
      const account = await twoFactorAccount(app);
      const db = await app.openDb();
      try {
        await db.run("UPDATE users SET email_verified_at = ? WHERE id = ?", [
          Date.now(),
          account.userId,
        ]);
      } finally {
        await db.close();
      }
      standins.setPerson({
        login: "carol",
        email: account.email,
        emailVerified: true,
      });
      await page.goto(`${base}/login?next=%2Fsettings%2Fsessions`);
      await continueWith(page, "Google", standins.google.issuer);
      await oidcLoginInPage(page, "carol", { issuer: standins.google.issuer });
      await page.waitForURL(
        `${base}/login/two-factor?next=%2Fsettings%2Fsessions`,
      );
      strictEqual(await whoAmI(page, base), null, "not before the code");
      await page.getByLabel("6-digit code").fill(await account.code());
      await page.getByRole("button", { name: "Continue" }).click();
      await page.waitForURL(`${base}/settings/sessions`);
      strictEqual(await whoAmI(page, base), account.email);
      await signOut(page, base);
      // And after GitHub (the same person there).
      await page.goto(`${base}/login`);
      await continueWith(page, "GitHub", standins.github.webUrl);
      await githubLoginInPage(page, "carol");
      await page.waitForURL(`${base}/login/two-factor?next=%2Fdashboard`);
      await page.getByLabel("6-digit code").fill(await account.code());
      await page.getByRole("button", { name: "Continue" }).click();
      await page.waitForURL(`${base}/dashboard`);
      strictEqual(await whoAmI(page, base), account.email);
      await signOut(page, base);

      // 4. No at GitHub: the failure page, then the password form.
      await page.goto(`${base}/login`);
      await continueWith(page, "GitHub", standins.github.webUrl);
      await githubLoginInPage(page, "alice", { deny: true });
      await page.waitForURL((u) => u.pathname === "/oauth/github/callback");
      strictEqual(
        await page.getByRole("heading", { level: 1 }).textContent(),
        "You did not allow access at GitHub",
      );
      ok(await page.getByRole("link", { name: "Try again" }).isVisible());
      await page.getByRole("link", { name: "Sign in with your password" })
        .click();
      await page.waitForURL(`${base}/login?next=%2Fdashboard`);
      strictEqual(await whoAmI(page, base), null);

      // Only the failure page's own 400.
      strictEqual(
        consoleErrors.filter((e) => !/status of 400/.test(e)).length,
        0,
        consoleErrors.join("\n"),
      );
    } finally {
      await context.close();
    }
  },
);

e2eTest(
  "without JavaScript: sign up through GitHub with an unverified address, signed in and asked to confirm it",
  async ({ base, standins, browser }) => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    try {
      await page.goto(`${base}/signup`);
      await continueWith(page, "GitHub", standins.github.webUrl);
      await githubLoginInPage(page, "bob");
      await page.waitForURL(`${base}/dashboard`);
      match(await page.content(), /bob@example\.com/);
      ok(
        await page.getByTestId("verify-banner").isVisible(),
        "the verify banner",
      );
    } finally {
      await context.close();
    }
  },
);
