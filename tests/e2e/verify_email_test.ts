/**
 * Email verification end to end in Chromium, on SQLite and PostgreSQL:
 * sign up, read the verification mail from a real SMTP server, sign in,
 * open the mail's link, press the button, "Email confirmed"; the banner
 * is gone; the same link a second time is refused. No console error
 * beyond that refusal's 400, no CSP violation, and no Referer sent from
 * the link's page.
 */
import { deepStrictEqual, ok, strictEqual } from "node:assert/strict";
import type { Engine } from "../../lib/db/db.ts";
import { createPgDatabase, dropPgDatabase } from "../../lib/db/testing.ts";
import { startServedApp, uniqueEmail } from "../helpers/auth.ts";
import { launchBrowser, trackErrors } from "../helpers/browser.ts";
import { startSmtp } from "../helpers/smtp.ts";

const PASSWORD = "Tulip orbit 7391 quartz!";
const REFUSED =
  "Failed to load resource: the server responded with a status of 400 (Bad Request)";

for (const engine of ["sqlite", "postgres"] as Engine[]) {
  Deno.test(`Chromium: sign up, confirm the address from the mailed link, a second use is refused [${engine}]`, async () => {
    const smtp = await startSmtp();
    const pg = engine === "postgres" ? await createPgDatabase(true) : null;
    const app = await startServedApp({
      env: {
        SMTP_URL: smtp.url,
        MAIL_FROM: "Islet <islet@example.com>",
        ...(pg === null ? {} : { DATABASE_URL: pg }),
      },
    });
    const base = app.origin;
    const browser = await launchBrowser();
    try {
      const context = await browser.newContext();
      const { page, consoleErrors, cspViolations } = trackErrors(
        await context.newPage(),
      );
      const referers: string[] = [];
      page.on("request", (r) => {
        const referer = r.headers()["referer"];
        if (referer?.includes("token=")) referers.push(r.url());
      });
      const email = uniqueEmail(`e2e-${engine}`);

      await page.goto(`${base}/signup`);
      await page.waitForLoadState("networkidle");
      await page.getByLabel("Email").fill(email);
      await page.getByLabel("Password").fill(PASSWORD);
      await page.getByRole("button", { name: "Create account" }).click();
      await page.getByTestId("check-inbox").waitFor();

      const mail = await smtp.waitFor((m) => m.to === email);
      strictEqual(mail.subject, "Confirm your email address");
      const link = mail.links.find((l) => l.includes("/verify-email?token="));
      ok(link, mail.text);
      ok(link.startsWith(`${base}/verify-email?token=`), link);

      // Signed in, unverified: the banner on every page.
      await page.goto(`${base}/login`);
      await page.waitForLoadState("networkidle");
      await page.getByLabel("Email").fill(email);
      await page.getByLabel("Password").fill(PASSWORD);
      await page.getByRole("button", { name: "Sign in" }).click();
      await page.waitForURL(`${base}/dashboard`);
      await page.getByTestId("verify-banner").waitFor();
      await page.goto(`${base}/settings`);
      await page.getByTestId("verify-banner").waitFor();

      // The mail's link: a page with a button; the button confirms.
      const opened = await page.goto(link);
      strictEqual(opened?.status(), 200);
      strictEqual(opened?.headers()["referrer-policy"], "no-referrer");
      await page.getByRole("button", { name: "Confirm my email address" })
        .click();
      await page.waitForURL(`${base}/verify-email`);
      strictEqual(
        (await page.getByRole("heading", { level: 1 }).textContent())?.trim(),
        "Email confirmed",
      );
      strictEqual(await page.getByTestId("verify-banner").count(), 0);
      await page.getByRole("link", { name: "Continue to your dashboard" })
        .click();
      await page.waitForURL(`${base}/dashboard`);
      strictEqual(await page.getByTestId("verify-banner").count(), 0);
      await page.goto(`${base}/settings`);
      strictEqual(
        await page.getByTestId("settings-email-status").textContent(),
        "Confirmed",
      );

      // The same link again: a clear refusal, nothing changed.
      await page.goto(link);
      await page.getByRole("button", { name: "Confirm my email address" })
        .click();
      const alert = page.getByRole("alert");
      await alert.waitFor();
      ok(
        (await alert.textContent())?.includes(
          "This confirmation link does not work",
        ),
      );
      strictEqual(
        (await page.getByRole("heading", { level: 1 }).textContent())?.trim(),
        "This link does not work",
      );

      deepStrictEqual(referers, [], "no request carried the token as Referer");
      deepStrictEqual(consoleErrors, [REFUSED]);
      deepStrictEqual(cspViolations, []);
      await context.close();
    } finally {
      await browser.close();
      await app.stop();
      await smtp.stop();
      if (pg !== null) await dropPgDatabase(pg);
    }
  });
}
