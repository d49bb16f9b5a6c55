/**
 * A first run as a new user makes it: the production build started with
 * no configuration at all (no APP_URL, no HOSTNAME; a scratch database and
 * a free PORT only), the exact URL it prints opened in Chromium, and a
 * sign-up there says to check the inbox; signing in then lands on the
 * dashboard (with the banner asking to confirm the address), with
 * JavaScript and without.
 *
 * @module
 */
import { deepStrictEqual, ok, strictEqual } from "node:assert/strict";
import { launchBrowser, trackErrors } from "../helpers/browser.ts";
import { startServer } from "../helpers/server.ts";

const PASSWORD = "Tulip orbit 7391 quartz!";

Deno.test("Chromium: no configuration, open the printed URL, sign up, sign in, land on the dashboard", async () => {
  const dir = await Deno.makeTempDir({ prefix: "islet-first-run-" });
  const server = await startServer({
    bareEnv: true,
    env: { DATABASE_PATH: `${dir}/islet.db` },
  });
  const browser = await launchBrowser();
  try {
    const printed = server.logs().match(/Listening on (http:\/\/\S+)/)?.[1];
    ok(printed, `the server printed its URL:\n${server.logs()}`);
    strictEqual(new URL(printed).port, String(server.port));

    for (const javaScriptEnabled of [true, false]) {
      const what = javaScriptEnabled ? "with JavaScript" : "without JavaScript";
      const context = await browser.newContext({ javaScriptEnabled });
      const { page, consoleErrors, cspViolations } = trackErrors(
        await context.newPage(),
      );
      const home = await page.goto(printed);
      strictEqual(home?.status(), 200, what);
      strictEqual(page.url(), printed, what);
      await page.goto(new URL("/signup", printed).href);
      if (javaScriptEnabled) await page.waitForLoadState("networkidle");
      const email = `first-${crypto.randomUUID().slice(0, 8)}@example.com`;
      await page.getByLabel("Email").fill(email);
      await page.getByLabel("Password").fill(PASSWORD);
      await page.getByRole("button", { name: "Create account" }).click();
      await page.getByTestId("check-inbox").waitFor();
      strictEqual(
        await page.getByRole("status").textContent(),
        `Check your inbox at ${email} to confirm it.`,
        what,
      );
      await page.getByRole("link", { name: "Sign in", exact: true }).last()
        .click();
      await page.waitForURL(new URL("/login", printed).href);
      if (javaScriptEnabled) await page.waitForLoadState("networkidle");
      await page.getByLabel("Email").fill(email);
      await page.getByLabel("Password").fill(PASSWORD);
      await page.getByRole("button", { name: "Sign in" }).click();
      await page.waitForURL(new URL("/dashboard", printed).href);
      await page.getByTestId("verify-banner").waitFor();
      strictEqual(
        await page.getByTestId("account-email").textContent(),
        email,
        what,
      );
      deepStrictEqual(consoleErrors, [], what);
      deepStrictEqual(cspViolations, [], what);
      await context.close();
    }
  } finally {
    await browser.close();
    await server.stop();
    await Deno.remove(dir, { recursive: true });
  }
});
