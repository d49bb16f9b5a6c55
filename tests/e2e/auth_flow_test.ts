/**
 * The built app in real Chromium: sign up (which signs nobody in), sign
 * in, sign out, sign in again through the islands; end another device's session from the settings; an invalid
 * sign-in shows an accessible error in place; and the same sign-in works
 * with JavaScript off. No console error and no CSP violation anywhere.
 */
import { deepStrictEqual, strictEqual } from "node:assert/strict";
import {
  type Browser,
  launchBrowser,
  type OpenedPage,
  type Page,
  trackErrors,
} from "../helpers/browser.ts";
import { startServer } from "../helpers/server.ts";

const PASSWORD = "Tulip orbit 7391 quartz!";
const FIREFOX =
  "Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0";

/** A page in its own browser context (own cookies), watched for errors. */
async function newPage(
  browser: Browser,
  options: Parameters<Browser["newContext"]>[0] = {},
): Promise<OpenedPage & { requests: string[] }> {
  const context = await browser.newContext(options);
  const opened = trackErrors(await context.newPage());
  const requests: string[] = [];
  opened.page.on("request", (r) => {
    if (r.method() !== "GET") {
      requests.push(`${r.method()} ${new URL(r.url()).pathname}`);
    }
  });
  return { ...opened, requests };
}

async function fillCredentials(page: Page, email: string, password: string) {
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
}

async function shownEmail(page: Page): Promise<string | null> {
  return await page.getByTestId("account-email").textContent();
}

/** Chromium logs every 4xx answer, expected or not, as a console error. */
const REFUSED =
  "Failed to load resource: the server responded with a status of 401 (Unauthorized)";

Deno.test("Chromium: sign up, sign out, sign in, end another session, bad password, no-JS sign-in", async () => {
  const dir = await Deno.makeTempDir({ prefix: "islet-e2e-auth-" });
  const server = await startServer({
    env: { DATABASE_PATH: `${dir}/test.db` },
  });
  // The app's origin is APP_URL's default, http://localhost:<port>: the
  // origin check needs the browser on that very origin.
  const base = `http://localhost:${server.port}`;
  const browser = await launchBrowser();
  const pages: (OpenedPage & { requests: string[] })[] = [];
  try {
    const email = `e2e-${crypto.randomUUID().slice(0, 8)}@example.com`;

    // 1. Sign up through the SignupForm island.
    const first = await newPage(browser);
    pages.push(first);
    const { page } = first;
    await page.goto(`${base}/signup`);
    await page.waitForLoadState("networkidle");
    await fillCredentials(page, email, PASSWORD);
    await page.getByRole("button", { name: "Create account" }).click();
    await page.getByTestId("check-inbox").waitFor();
    strictEqual(page.url(), `${base}/signup`, "no navigation");
    deepStrictEqual(
      first.requests,
      ["POST /api/auth/register"],
      "the island used the API",
    );
    // Sign-up signs nobody in: sign in with the new account.
    await page.goto(`${base}/login`);
    await page.waitForLoadState("networkidle");
    first.requests.length = 0;
    await fillCredentials(page, email, PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(`${base}/dashboard`);
    strictEqual(await shownEmail(page), email);

    // 2. Sign out with the header button (a plain form): the sign-in page
    // says so.
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL(`${base}/login`);
    strictEqual(
      await page.getByRole("status").textContent(),
      "You have signed out.",
    );
    await page.goto(`${base}/dashboard`);
    strictEqual(page.url(), `${base}/login?next=%2Fdashboard`);

    // 3. Sign in through the LoginForm island.
    await page.waitForLoadState("networkidle");
    first.requests.length = 0;
    await fillCredentials(page, email, PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(`${base}/dashboard`);
    strictEqual(await shownEmail(page), email);
    deepStrictEqual(first.requests, ["POST /api/auth/login"]);

    // 4. A second browser signs in as the same user.
    const second = await newPage(browser, { userAgent: FIREFOX });
    pages.push(second);
    await second.page.goto(`${base}/login`);
    await second.page.waitForLoadState("networkidle");
    await fillCredentials(second.page, email, PASSWORD);
    await second.page.getByRole("button", { name: "Sign in" }).click();
    await second.page.waitForURL(`${base}/dashboard`);
    strictEqual(await shownEmail(second.page), email);

    // 5. The first ends the second's session from the settings.
    await page.goto(`${base}/settings/sessions`);
    strictEqual(await page.locator("[data-session-id]").count(), 2);
    const end = page.getByRole("button", {
      name: /^End session on Firefox on Linux from /,
    });
    strictEqual(await end.textContent(), "End session");
    await end.click();
    await page.waitForURL(`${base}/settings/sessions`);
    strictEqual(
      await page.getByRole("status").textContent(),
      "The session on Firefox on Linux was ended.",
    );
    strictEqual(await page.locator("[data-session-id]").count(), 1);
    await second.page.reload();
    strictEqual(second.page.url(), `${base}/login?next=%2Fdashboard`);
    strictEqual(
      await second.page.getByRole("status").textContent(),
      "You were signed out (your session ended on another device or expired).",
    );

    // 6. A wrong password: an alert in place, no navigation.
    await second.page.waitForLoadState("networkidle");
    const before = second.page.url();
    let navigations = 0;
    second.page.on("framenavigated", (f) => {
      if (f === second.page.mainFrame()) navigations++;
    });
    await fillCredentials(second.page, email, "not my password");
    await second.page.getByRole("button", { name: "Sign in" }).click();
    const alert = second.page.getByRole("alert");
    await alert.waitFor();
    strictEqual(
      (await alert.textContent())?.trim(),
      "Invalid email or password",
    );
    strictEqual(second.page.url(), before);
    strictEqual(navigations, 0);
    strictEqual(await second.page.getByLabel("Email").inputValue(), email);

    // 7. JavaScript off: the plain HTML form does the same.
    const noJs = await newPage(browser, { javaScriptEnabled: false });
    pages.push(noJs);
    await noJs.page.goto(`${base}/login?next=%2Fdashboard`);
    await fillCredentials(noJs.page, email, "still not it");
    await noJs.page.getByRole("button", { name: "Sign in" }).click();
    await noJs.page.waitForLoadState();
    strictEqual(
      (await noJs.page.getByRole("alert").textContent())?.trim(),
      "Invalid email or password",
    );
    strictEqual(await noJs.page.getByLabel("Email").inputValue(), email);
    await noJs.page.getByLabel("Password").fill(PASSWORD);
    await noJs.page.getByRole("button", { name: "Sign in" }).click();
    await noJs.page.waitForURL(`${base}/dashboard`);
    strictEqual(await shownEmail(noJs.page), email);
    deepStrictEqual(noJs.requests, [
      "POST /login",
      "POST /login",
    ], "plain form posts, no API calls");

    // Only the refused sign-ins (one per page that tried a wrong password).
    deepStrictEqual(first.consoleErrors, []);
    deepStrictEqual(second.consoleErrors, [REFUSED]);
    deepStrictEqual(noJs.consoleErrors, [REFUSED]);
    for (const p of pages) deepStrictEqual(p.cspViolations, []);
  } finally {
    await browser.close();
    await server.stop();
    await Deno.remove(dir, { recursive: true });
  }
});
