/**
 * The account lifecycle of issue 9 in real Chromium, on SQLite and on
 * PostgreSQL, the served app sending through a real SMTP server: a
 * sign-in from a new device is mailed, the mail's "this wasn't me" link
 * signs every device out, the activity page says what happened, the data
 * export downloads, and a deleted account cannot sign in again. No console
 * error and no CSP violation on the way.
 */
import { deepStrictEqual, match, ok, strictEqual } from "node:assert/strict";

import {
  createPgDatabase,
  dropPgDatabase,
  ENGINES,
} from "../../lib/db/testing.ts";
import { launchBrowser, type Page, trackErrors } from "../helpers/browser.ts";
import {
  Client,
  PASSWORD,
  startServedApp,
  uniqueEmail,
} from "../helpers/auth.ts";
import { startSmtp } from "../helpers/smtp.ts";

const FIREFOX =
  "Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0";

async function signIn(page: Page, base: string, email: string) {
  await page.goto(`${base}/login`);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
}

for (const engine of ENGINES) {
  Deno.test(`Chromium: new-device mail and its link, activity, export, deletion [${engine}]`, async () => {
    const smtp = await startSmtp();
    const dbUrl = engine === "postgres" ? await createPgDatabase(true) : null;
    const app = await startServedApp({
      env: {
        SMTP_URL: smtp.url,
        MAIL_FROM: "Islet <islet@example.com>",
        ...(dbUrl ? { DATABASE_URL: dbUrl } : {}),
      },
    });
    const base = app.origin;
    const browser = await launchBrowser();
    try {
      const email = uniqueEmail(`e2e-life-${engine}`);
      // The account is made, and used, from Firefox.
      const firefox = new Client(app, { userAgent: FIREFOX });
      await firefox.register(email);

      const context = await browser.newContext({ acceptDownloads: true });
      const { page, consoleErrors, cspViolations } = trackErrors(
        await context.newPage(),
      );
      await signIn(page, base, email);
      await page.waitForURL(`${base}/dashboard`);

      // Chromium is a device this account has not seen: the owner is told.
      const notice = await smtp.waitFor((m) =>
        m.to.includes(email) &&
        m.subject === "New sign-in to your Islet account"
      );
      match(notice.text, /Chrome on Linux/);
      match(notice.html, /<html lang="en"/);
      const link = notice.links.find((l) =>
        l.includes("/account/not-me?token=")
      );
      ok(link, notice.text);

      // Following the link changes nothing until the button is pressed.
      await page.goto(link);
      strictEqual(await firefox.meStatus(), 200);
      await page.getByRole("button", { name: "Sign out everywhere" }).click();
      await page.waitForURL((u) =>
        u.pathname === "/account/not-me" && u.search === "?done"
      );
      match(
        await page.getByTestId("notice").textContent() ?? "",
        /2 sessions of your account were ended/,
      );
      strictEqual(await firefox.meStatus(), 401);
      await page.goto(`${base}/dashboard`);
      strictEqual(new URL(page.url()).pathname, "/login", "this browser too");

      // Back in: the activity page says what happened, newest first.
      await signIn(page, base, email);
      await page.waitForURL(`${base}/dashboard`);
      await page.goto(`${base}/settings/activity`);
      const sentences = await page.getByTestId("activity-sentence")
        .allTextContents();
      deepStrictEqual(sentences.slice(0, 3), [
        "You signed in.",
        // Marked for screen readers as it is for the eye.
        "Warning: Every session was ended from the link in a security email.",
        "We emailed you about a sign-in from a device not seen before.",
      ]);
      ok(sentences.includes("You created your account."));

      // The export downloads as a file.
      await page.goto(`${base}/settings/data`);
      const [download] = await Promise.all([
        page.waitForEvent("download"),
        page.getByRole("button", { name: "Download my data" }).click(),
      ]);
      match(
        download.suggestedFilename(),
        /^islet-account-\d{4}-\d{2}-\d{2}\.json$/,
      );
      const file = await download.path();
      const doc = JSON.parse(await Deno.readTextFile(file!));
      strictEqual(doc.profile.email, email);
      ok(doc.securityActivity.length >= 5);

      // Deletion: signed in a moment ago, so the button is all it takes;
      // then gone, and signing in again is refused.
      await page.goto(`${base}/settings/delete`);
      await page.getByRole("button", { name: "Delete my account permanently" })
        .click();
      await page.waitForURL(`${base}/login`);
      match(
        await page.getByTestId("notice").textContent() ?? "",
        /Your account has been deleted/,
      );
      const goodbye = await smtp.waitFor((m) =>
        m.to.includes(email) &&
        m.subject === "Your Islet account has been deleted"
      );
      match(goodbye.text, /Chrome on Linux/);
      await signIn(page, base, email);
      await page.getByText("Invalid email or password").first().waitFor();
      strictEqual(new URL(page.url()).pathname, "/login");

      deepStrictEqual(cspViolations, []);
      deepStrictEqual(
        consoleErrors.filter((e) => !/status of 40[01]/.test(e)),
        [],
      );
      await context.close();
    } finally {
      await browser.close();
      await app.stop();
      await smtp.stop();
      if (dbUrl) await dropPgDatabase(dbUrl);
    }
  });
}
