/**
 * Password reset, change password and change email end to end in real
 * Chromium, on SQLite and on PostgreSQL, the served app sending through a
 * real SMTP server: every link is the one found in the received message,
 * opened and acted on in the browser. Each flow checks which sessions
 * survive it (a reset ends them all, a change of password all but this
 * one, an undone email change all), and that nothing went wrong on the
 * way (no console error beyond expected refusals, no CSP violation, no
 * Referer carrying a token).
 */
import { deepStrictEqual, match, ok, strictEqual } from "node:assert/strict";

import {
  createPgDatabase,
  dropPgDatabase,
  ENGINES,
} from "../../lib/db/testing.ts";
import type { Engine } from "../../lib/db/db.ts";
import {
  type Browser,
  launchBrowser,
  type Page,
  trackErrors,
} from "../helpers/browser.ts";
import {
  type AuthApp,
  Client,
  PASSWORD,
  startServedApp,
  uniqueEmail,
} from "../helpers/auth.ts";
import { startSmtp, type TestSmtp } from "../helpers/smtp.ts";

const NEW_PASSWORD = "Harbour lantern 2210 fig";

interface World {
  app: AuthApp;
  base: string;
  smtp: TestSmtp;
  browser: Browser;
}

/** One test per engine, each with its own SMTP server, served app and browser. */
function e2eTest(name: string, fn: (w: World) => Promise<void>) {
  for (const engine of ENGINES as Engine[]) {
    Deno.test(`Chromium: ${name} [${engine}]`, async () => {
      const smtp = await startSmtp();
      const dbUrl = engine === "postgres" ? await createPgDatabase(true) : null;
      const app = await startServedApp({
        env: {
          SMTP_URL: smtp.url,
          MAIL_FROM: "Islet <islet@example.com>",
          ...(dbUrl ? { DATABASE_URL: dbUrl } : {}),
        },
      });
      const browser = await launchBrowser();
      try {
        await fn({ app, base: app.origin, smtp, browser });
      } finally {
        await browser.close();
        await app.stop();
        await smtp.stop();
        if (dbUrl) await dropPgDatabase(dbUrl);
      }
    });
  }
}

async function signIn(
  page: Page,
  base: string,
  email: string,
  password = PASSWORD,
) {
  await page.goto(`${base}/login`);
  await page.waitForLoadState("networkidle");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

/** The link of the mail to `to` whose subject matches, containing `path`. */
async function mailedLink(
  smtp: TestSmtp,
  to: string,
  subject: RegExp,
  path: string,
): Promise<string> {
  const mail = await smtp.waitFor((m) =>
    m.to === to && subject.test(m.subject)
  );
  const link = mail.links.find((l) => l.includes(`${path}?token=`));
  ok(link, `no ${path} link in:\n${mail.text}`);
  return link;
}

/** Whether the browser of `page` is signed in: /dashboard stays or goes to /login. */
async function signedIn(page: Page, base: string): Promise<boolean> {
  await page.goto(`${base}/dashboard`);
  return new URL(page.url()).pathname === "/dashboard";
}

/** Requests whose Referer carried a token (none may). */
function watchReferers(page: Page): string[] {
  const leaks: string[] = [];
  page.on("request", (r) => {
    if (r.headers()["referer"]?.includes("token=")) leaks.push(r.url());
  });
  return leaks;
}

e2eTest(
  "forgot password → mailed link → new password → signed in with it; old sessions are gone",
  async ({ app, base, smtp, browser }) => {
    const email = uniqueEmail("e2e-reset");
    // Two sessions from before the reset: an API client, and a browser.
    const api = new Client(app);
    await api.register(email);
    const before = await browser.newContext();
    const oldPage = await before.newPage();
    await signIn(oldPage, base, email);
    await oldPage.waitForURL(`${base}/dashboard`);

    const context = await browser.newContext();
    const { page, consoleErrors, cspViolations } = trackErrors(
      await context.newPage(),
    );
    const leaks = watchReferers(page);
    await page.goto(`${base}/login`);
    await page.getByRole("link", { name: "Forgot your password?" }).click();
    await page.waitForURL(`${base}/forgot-password`);
    await page.getByLabel("Email").fill(email);
    await page.getByRole("button", { name: "Send the link" }).click();
    match(
      await page.getByTestId("reset-sent").textContent() ?? "",
      new RegExp(`If an account uses ${email.replace(".", "\\.")}`),
    );

    const link = await mailedLink(
      smtp,
      email,
      /^Reset your Islet password$/,
      "/reset-password",
    );
    ok(link.startsWith(`${base}/reset-password?token=`), link);
    const opened = await page.goto(link);
    strictEqual(opened?.status(), 200);
    strictEqual(opened?.headers()["referrer-policy"], "no-referrer");
    await page.getByLabel("New password").fill(NEW_PASSWORD);
    await page.getByRole("button", { name: "Set the new password" }).click();
    await page.waitForURL(`${base}/login`);
    match(
      await page.getByTestId("notice").textContent() ?? "",
      /Your password was changed and every device signed out/,
    );

    // The old password no longer works; the new one does.
    await signIn(page, base, email);
    await page.getByText("Invalid email or password").first().waitFor();
    await signIn(page, base, email, NEW_PASSWORD);
    await page.waitForURL(`${base}/dashboard`);

    // Every session from before is gone.
    strictEqual(await api.meStatus(), 401);
    strictEqual(await signedIn(oldPage, base), false, "old browser signed out");

    // The link worked once.
    const again = await page.goto(link);
    strictEqual(again?.status(), 400);
    await page.getByText(/expired or was already used/).first().waitFor();

    deepStrictEqual(leaks, [], "no Referer carried the token");
    deepStrictEqual(cspViolations, []);
    deepStrictEqual(
      consoleErrors.filter((e) => !/status of 40[01]/.test(e)),
      [],
    );
    await context.close();
    await before.close();
  },
);

e2eTest(
  "change password: the other session is signed out, this one stays",
  async ({ app, base, smtp, browser }) => {
    const email = uniqueEmail("e2e-change");
    const other = new Client(app);
    await other.register(email);

    const context = await browser.newContext();
    const { page, consoleErrors, cspViolations } = trackErrors(
      await context.newPage(),
    );
    await signIn(page, base, email);
    await page.waitForURL(`${base}/dashboard`);
    await page.goto(`${base}/settings/security`);
    await page.getByRole("link", { name: "Change password" }).click();
    await page.waitForURL(`${base}/settings/password`);

    // A wrong current password changes nothing.
    await page.getByLabel("Current password").fill("Not my password 4242");
    await page.getByLabel("New password").fill(NEW_PASSWORD);
    await page.getByRole("button", { name: "Change password" }).click();
    await page.getByRole("alert").first().waitFor();
    strictEqual(new URL(page.url()).pathname, "/settings/password");
    strictEqual(await other.meStatus(), 200);

    await page.getByLabel("Current password").fill(PASSWORD);
    await page.getByLabel("New password").fill(NEW_PASSWORD);
    await page.getByRole("button", { name: "Change password" }).click();
    await page.waitForURL(`${base}/settings/security`);
    match(
      await page.getByTestId("notice").textContent() ?? "",
      /Your password was changed\. 1 other session was signed out\./,
    );

    strictEqual(await other.meStatus(), 401, "the other session ended");
    strictEqual(await signedIn(page, base), true, "this one stays");
    const notice = await smtp.waitFor((m) =>
      m.to === email && /password was changed/.test(m.subject)
    );
    match(notice.text, /Chrome on Linux/);
    await new Client(app).login(email, NEW_PASSWORD);

    deepStrictEqual(cspViolations, []);
    deepStrictEqual(
      consoleErrors.filter((e) => !/status of 40[01]/.test(e)),
      [],
    );
    await context.close();
  },
);

e2eTest(
  "change email: confirmed from the new address, undone from the old one, every session ends",
  async ({ app, base, smtp, browser }) => {
    const email = uniqueEmail("e2e-mover");
    const fresh = uniqueEmail("e2e-fresh");
    const other = new Client(app);
    await other.register(email);

    const context = await browser.newContext();
    const { page, consoleErrors, cspViolations } = trackErrors(
      await context.newPage(),
    );
    const leaks = watchReferers(page);
    await signIn(page, base, email);
    await page.waitForURL(`${base}/dashboard`);
    await page.goto(`${base}/settings`);
    await page.getByRole("link", { name: "Change email" }).click();
    await page.waitForURL(`${base}/settings/email`);
    // Signed in a moment ago: no confirm-access step, no password here.
    await page.getByLabel("New email address").fill(fresh);
    await page.getByRole("button", { name: "Send the confirmation link" })
      .click();
    await page.waitForURL(`${base}/settings`);
    match(
      await page.getByTestId("notice").textContent() ?? "",
      /Check the inbox of the new address/,
    );
    // Nothing switched yet.
    strictEqual((await other.get("/api/auth/me")).json.user.email, email);

    // The new address's inbox: the link opens a page; only its button acts.
    const confirm = await mailedLink(
      smtp,
      fresh,
      /^Confirm your new Islet email address$/,
      "/confirm-email-change",
    );
    const opened = await page.goto(confirm);
    strictEqual(opened?.headers()["referrer-policy"], "no-referrer");
    strictEqual((await other.get("/api/auth/me")).json.user.email, email);
    await page.getByRole("button", { name: "Confirm this address" }).click();
    match(
      await page.getByTestId("email-change-done").textContent() ?? "",
      new RegExp(`Your account now uses ${fresh.replace(".", "\\.")}`),
    );
    strictEqual((await other.get("/api/auth/me")).json.user.email, fresh);
    await page.goto(`${base}/settings`);
    await page.getByText(fresh).first().waitFor();

    // The old address's inbox, read in a browser of its own, signed out.
    const undo = await mailedLink(
      smtp,
      email,
      /^The email address of your Islet account was changed$/,
      "/undo-email-change",
    );
    const owner = await browser.newContext();
    const ownerPage = await owner.newPage();
    await ownerPage.goto(undo);
    await ownerPage.getByRole("button", { name: "Put my old address back" })
      .click();
    match(
      await ownerPage.getByTestId("email-change-done").textContent() ?? "",
      new RegExp(`Your account uses ${email.replace(".", "\\.")}`),
    );

    // Every session ended, the address is the old one, and the old
    // address got a link to choose a new password.
    strictEqual(await other.meStatus(), 401);
    strictEqual(await signedIn(page, base), false, "this browser too");
    await mailedLink(smtp, email, /email address is back/, "/reset-password");
    await signIn(page, base, email);
    await page.waitForURL(`${base}/dashboard`);
    await page.goto(`${base}/settings`);
    await page.getByText(email).first().waitFor();

    deepStrictEqual(leaks, [], "no Referer carried the token");
    deepStrictEqual(cspViolations, []);
    deepStrictEqual(
      consoleErrors.filter((e) => !/status of 40[01]/.test(e)),
      [],
    );
    await owner.close();
    await context.close();
  },
);
