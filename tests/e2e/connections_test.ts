/**
 * Connected accounts in real Chromium, against the served app on SQLite
 * and PostgreSQL, with the tests' real providers (the GitHub stand-in's
 * authorize page; an oidc-provider's own login and consent pages):
 *
 * 1. A password account whose sign-in is 11 minutes old opens Settings →
 *    Connected accounts, confirms it is them with the password, comes back,
 *    connects GitHub (the notice says so, "Connected as alice"), and
 *    disconnects it again ("GitHub is disconnected.", Connect offered).
 * 2. Without JavaScript, an account made through Acme SSO (no password)
 *    with an old sign-in is asked to confirm it is them and offered only
 *    "Continue with Acme SSO": signing in there again brings it back to the
 *    page, which says, before anything is pressed, that its one link
 *    cannot go; pressed anyway, the refusal (409) says to set a password
 *    first and links to the reset page.
 *
 * No console error but the refusal's own status, no CSP violation.
 */
import { deepStrictEqual, match, ok, strictEqual } from "node:assert/strict";
import type { Engine } from "../../lib/db/db.ts";
import {
  createPgDatabase,
  dropPgDatabase,
  ENGINES,
} from "../../lib/db/testing.ts";
import {
  ageSession,
  type AuthApp,
  Client,
  PASSWORD,
  startServedApp,
  uniqueEmail,
} from "../helpers/auth.ts";
import {
  type Browser,
  launchBrowser,
  trackErrors,
} from "../helpers/browser.ts";
import {
  driveOidc,
  githubLoginInPage,
  type OAuthStandins,
  oidcLoginInPage,
  startOAuthStandins,
} from "../helpers/oauth.ts";
import { FlowClient } from "../http/oauth_sign_in_kit.ts";

const PATH = "/settings/connections";

interface World {
  app: AuthApp;
  base: string;
  standins: OAuthStandins;
  browser: Browser;
}

function e2eTest(name: string, fn: (w: World) => Promise<void>) {
  for (const engine of ENGINES as Engine[]) {
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

/** The browser cookie of a client's session. */
function cookieOf(c: Client, base: string) {
  const [name, value] = c.cookie!.split("=", 2);
  return { name, value, url: base };
}

e2eTest(
  "connect GitHub from settings after confirming it is you, then disconnect it",
  async ({ app, base, standins, browser }) => {
    const me = new Client(app);
    await me.register(uniqueEmail("e2e-connect"));
    // Signed in 11 minutes ago, as far as the app can tell.
    await ageSession(app, me);
    const context = await browser.newContext();
    await context.addCookies([cookieOf(me, base)]);
    const { page, consoleErrors, cspViolations } = trackErrors(
      await context.newPage(),
    );
    try {
      await page.goto(`${base}/settings`);
      await page.getByRole("navigation", { name: "Settings sections" })
        .getByRole("link", { name: "Connected accounts" }).click();
      await page.waitForURL(
        `${base}/confirm-access?next=${encodeURIComponent(PATH)}`,
      );
      await page.getByLabel("Password").fill(PASSWORD);
      await page.getByRole("button", { name: "Confirm" }).click();
      await page.waitForURL(`${base}${PATH}`);
      ok(
        await page.getByRole("heading", {
          level: 2,
          name: "Connected accounts",
        })
          .isVisible(),
      );

      await page.getByRole("link", { name: "Connect GitHub" }).click();
      await page.waitForURL((u) =>
        u.origin === new URL(standins.github.webUrl).origin
      );
      await githubLoginInPage(page, "alice");
      await page.waitForURL(`${base}${PATH}`);
      strictEqual(
        (await page.getByTestId("notice").textContent())?.trim(),
        "GitHub is connected. You can now sign in with it.",
      );
      const github = page.locator('[data-provider="github"]');
      match((await github.textContent())!, /Connected as\s*alice\s*since/);

      await page.getByRole("button", { name: "Disconnect GitHub (alice)" })
        .click();
      await page.waitForURL(`${base}${PATH}`);
      strictEqual(
        (await page.getByTestId("notice").textContent())?.trim(),
        "GitHub is disconnected.",
      );
      ok(await page.getByRole("link", { name: "Connect GitHub" }).isVisible());
      await page.reload();
      strictEqual(await page.getByTestId("notice").count(), 0, "once");

      deepStrictEqual(cspViolations, []);
      deepStrictEqual(consoleErrors, []);
    } finally {
      await context.close();
    }
  },
);

e2eTest(
  "without JavaScript: an account made through a provider confirms access through it, and its last way in is explained and refused",
  async ({ app, base, standins, browser }) => {
    // An account made through Acme SSO; its sign-in then made old.
    const made = new FlowClient(app);
    const done = await made.flowThrough("/oauth/acme", driveOidc, "alice");
    strictEqual(done.status, 303, done.text);
    await ageSession(app, made);

    const context = await browser.newContext({ javaScriptEnabled: false });
    await context.addCookies([cookieOf(made, base)]);
    const { page, consoleErrors, cspViolations } = trackErrors(
      await context.newPage(),
    );
    try {
      await page.goto(`${base}${PATH}`);
      await page.waitForURL(
        `${base}/confirm-access?next=${encodeURIComponent(PATH)}`,
      );
      strictEqual(await page.getByLabel("Password").count(), 0);
      const offered = page.getByRole("link", { name: /^Continue with / });
      deepStrictEqual(await offered.allTextContents(), [
        "Continue with Acme SSO",
      ]);
      await offered.click();
      await oidcLoginInPage(page, "alice", { issuer: standins.acme.issuer });
      await page.waitForURL(`${base}${PATH}`);

      // Said before pressing: the explanation beside the button.
      const acme = page.locator('[data-provider="acme"]');
      match(
        (await acme.textContent())!,
        /This is your only way to sign in, so it cannot be disconnected yet\. Set\s+a password first/,
      );
      const button = page.getByRole("button", {
        name: /^Disconnect Acme SSO \(/,
      });
      strictEqual(await button.isEnabled(), true, "still a button");
      strictEqual(
        await button.getAttribute("aria-describedby"),
        await acme.locator('p[id^="last-method-"]').getAttribute("id"),
      );
      const answer = page.waitForResponse((r) =>
        r.request().method() === "POST"
      );
      await button.click();
      strictEqual((await answer).status(), 409);
      const alert = page.getByRole("alert");
      match((await alert.textContent())!, /^Set a password first: Acme SSO/);
      await alert.getByRole("link", {
        name: "Ask for a link to set a password",
      }).click();
      await page.waitForURL(`${base}/forgot-password`);
      // Still connected.
      await page.goto(`${base}${PATH}`);
      ok(await button.isVisible());

      deepStrictEqual(cspViolations, []);
      deepStrictEqual(
        consoleErrors.filter((e) => !/status of 409/.test(e)),
        [],
      );
    } finally {
      await context.close();
    }
  },
);
