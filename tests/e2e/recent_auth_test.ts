/**
 * Recent authentication end to end in real Chromium, on SQLite and on
 * PostgreSQL, with JavaScript and without: a session whose sign-in is 11
 * minutes old opens Settings → Change email, is asked to confirm it is
 * them, types a wrong password (refused, still there), then the right one,
 * comes back to the form, and changes the address (the confirmation mail
 * arrives at the new one through a real SMTP server). For the next ten
 * minutes the other sensitive pages open without asking again. No CSP
 * violation, no console error beyond the expected refusal.
 */
import { deepStrictEqual, match, strictEqual } from "node:assert/strict";
import type { Engine } from "../../lib/db/db.ts";
import {
  createPgDatabase,
  dropPgDatabase,
  ENGINES,
} from "../../lib/db/testing.ts";
import { launchBrowser, trackErrors } from "../helpers/browser.ts";
import {
  ageSession,
  Client,
  PASSWORD,
  startServedApp,
  uniqueEmail,
} from "../helpers/auth.ts";
import { startSmtp } from "../helpers/smtp.ts";

for (const engine of ENGINES as Engine[]) {
  Deno.test(`Chromium: an old session confirms it is you, comes back to change email, with and without JavaScript [${engine}]`, async () => {
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
      for (const javaScriptEnabled of [true, false]) {
        const email = uniqueEmail("e2e-recent");
        const fresh = uniqueEmail("e2e-recent-new");
        // Signed in 11 minutes ago, as far as the app can tell: the proof
        // is moved back before the session's first use.
        const me = new Client(app);
        await me.register(email);
        await ageSession(app, me);

        const context = await browser.newContext({ javaScriptEnabled });
        const [name, value] = me.cookie!.split("=", 2);
        await context.addCookies([{ name, value, url: base }]);
        const { page, consoleErrors, cspViolations } = trackErrors(
          await context.newPage(),
        );
        try {
          await page.goto(`${base}/settings`);
          await page.getByRole("link", { name: "Change email" }).click();
          await page.waitForURL(
            `${base}/confirm-access?next=%2Fsettings%2Femail`,
          );
          await page.getByRole("heading", { name: "Confirm it is you" })
            .waitFor();

          await page.getByLabel("Password").fill("Not my password 4242");
          await page.getByRole("button", { name: "Confirm" }).click();
          await page.getByRole("alert").first().waitFor();
          match(
            await page.locator("#password-error").textContent() ?? "",
            /That is not your current password/,
          );
          strictEqual(new URL(page.url()).pathname, "/confirm-access");

          await page.getByLabel("Password").fill(PASSWORD);
          await page.getByRole("button", { name: "Confirm" }).click();
          await page.waitForURL(`${base}/settings/email`);
          // The proof stands for the password: the form asks for none.
          strictEqual(await page.locator('input[type="password"]').count(), 0);
          await page.getByLabel("New email address").fill(fresh);
          await page.getByRole("button", { name: "Send the confirmation link" })
            .click();
          await page.waitForURL(`${base}/settings`);
          match(
            await page.getByTestId("notice").textContent() ?? "",
            /Check the inbox of the new address/,
          );
          await smtp.waitFor((m) =>
            m.to === fresh &&
            /^Confirm your new Islet email address$/.test(m.subject)
          );

          // Recent now: the other sensitive pages open at once.
          for (const path of ["/settings/password", "/settings/delete"]) {
            await page.goto(`${base}${path}`);
            strictEqual(new URL(page.url()).pathname, path);
          }

          deepStrictEqual(cspViolations, []);
          deepStrictEqual(
            consoleErrors.filter((e) => !/status of 400/.test(e)),
            [],
          );
        } finally {
          await context.close();
        }
      }
    } finally {
      await browser.close();
      await app.stop();
      await smtp.stop();
      if (dbUrl) await dropPgDatabase(dbUrl);
    }
  });
}
