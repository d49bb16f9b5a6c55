/**
 * Two-factor sign-in in real Chromium against the built app: the password
 * through the sign-in island, then the code page (reached, filled and sent
 * from the keyboard), a recovery code with the count shown on the next
 * page, and both again with JavaScript off. Codes come from the secret as
 * stored (tests/helpers/two_factor.ts), never hard-coded. No console error
 * but the expected refusal, and no CSP violation.
 */
import { deepStrictEqual, match, ok, strictEqual } from "node:assert/strict";
import {
  type Browser,
  launchBrowser,
  type OpenedPage,
  type Page,
  trackErrors,
} from "../helpers/browser.ts";
import { startServedApp } from "../helpers/auth.ts";
import { twoFactorAccount } from "../helpers/two_factor.ts";

/** A page in its own browser context, with the non-GET requests it made. */
async function newPage(
  browser: Browser,
  options: Parameters<Browser["newContext"]>[0] = {},
): Promise<OpenedPage & { requests: string[] }> {
  const context = await browser.newContext(options);
  const opened = trackErrors(await context.newPage());
  const requests: string[] = [];
  opened.page.on("request", (r) => {
    if (r.method() !== "GET") {
      const url = new URL(r.url());
      requests.push(`${r.method()} ${url.pathname}`);
    }
  });
  return { ...opened, requests };
}

async function signInWithPassword(
  page: Page,
  base: string,
  account: { email: string; password: string },
): Promise<void> {
  await page.goto(`${base}/login?next=%2Fsettings%2Fsessions`);
  await page.waitForLoadState("networkidle");
  await page.getByLabel("Email").fill(account.email);
  await page.getByLabel("Password").fill(account.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL(
    `${base}/login/two-factor?next=%2Fsettings%2Fsessions`,
  );
}

/** Tabs (at most 20 times) until the element with `id` has focus. */
async function tabTo(page: Page, id: string): Promise<void> {
  for (let i = 0; i < 20; i++) {
    await page.keyboard.press("Tab");
    if (await page.evaluate(() => document.activeElement?.id) === id) return;
  }
  throw new Error(`#${id} is not reached by Tab`);
}

const BAD_REQUEST =
  "Failed to load resource: the server responded with a status of 400 (Bad Request)";

Deno.test("Chromium: password then code (from the keyboard), a recovery code, and both without JavaScript", async () => {
  const app = await startServedApp();
  const base = app.origin;
  const browser = await launchBrowser();
  const pages: (OpenedPage & { requests: string[] })[] = [];
  try {
    const account = await twoFactorAccount(app);

    // 1. JavaScript on: the island signs in with the password and goes on
    // to the code page, which carries next.
    const js = await newPage(browser);
    pages.push(js);
    const { page } = js;
    await signInWithPassword(page, base, account);
    deepStrictEqual(js.requests, ["POST /api/auth/login"]);
    strictEqual(
      await page.getByRole("heading", { level: 1 }).textContent(),
      "Enter your code",
    );
    // The code by keyboard alone: Tab to the field, type, Enter.
    await page.waitForLoadState("networkidle");
    await tabTo(page, "code");
    await page.keyboard.type(await account.code());
    await page.keyboard.press("Enter");
    await page.waitForURL(`${base}/settings/sessions`);
    const mine = page.locator("[data-session-id]").first();
    match((await mine.textContent())!, /This device\s*Two-factor verified/);

    // 2. Sign out, then in with a recovery code; the next page says how
    // many are left.
    await page.getByRole("button", { name: "Sign out", exact: true }).click();
    await page.waitForURL(`${base}/login`);
    await signInWithPassword(page, base, account);
    await page.getByRole("link", { name: "Use a recovery code instead" })
      .click();
    await page.waitForURL(/method=recovery/);
    await page.getByLabel("Recovery code").fill(account.recoveryCodes[0]);
    await page.getByRole("button", { name: "Continue" }).click();
    await page.waitForURL(`${base}/settings/sessions`);
    strictEqual(
      (await page.getByTestId("page-banner").textContent())?.trim(),
      "You signed in with a recovery code. It cannot be used again; 9 are left.",
    );
    await page.reload();
    strictEqual(await page.getByTestId("page-banner").count(), 0, "once");

    // 3. JavaScript off: plain forms all the way, a wrong code first.
    const noJs = await newPage(browser, { javaScriptEnabled: false });
    pages.push(noJs);
    await signInWithPassword(noJs.page, base, account);
    await noJs.page.getByLabel("6-digit code").fill(await account.wrongCode());
    await noJs.page.getByRole("button", { name: "Continue" }).click();
    await noJs.page.locator("#code-error").waitFor();
    match(
      (await noJs.page.locator("#code-error").textContent())!,
      /That code is not right, or was already used/,
    );
    strictEqual(
      await noJs.page.getByLabel("6-digit code").getAttribute("aria-invalid"),
      "true",
    );
    await noJs.page.getByLabel("6-digit code").fill(await account.code());
    await noJs.page.getByRole("button", { name: "Continue" }).click();
    await noJs.page.waitForURL(`${base}/settings/sessions`);
    ok(await noJs.page.getByText("Two-factor verified").first().isVisible());
    await noJs.page.getByRole("button", { name: "Sign out", exact: true })
      .click();
    await noJs.page.waitForURL(`${base}/login`);

    await signInWithPassword(noJs.page, base, account);
    await noJs.page.getByRole("link", { name: "Use a recovery code instead" })
      .click();
    await noJs.page.getByLabel("Recovery code").fill(account.recoveryCodes[1]);
    await noJs.page.getByRole("button", { name: "Continue" }).click();
    await noJs.page.waitForURL(`${base}/settings/sessions`);
    strictEqual(
      (await noJs.page.getByTestId("page-banner").textContent())?.trim(),
      "You signed in with a recovery code. It cannot be used again; 8 are left.",
    );
    const q = "?next=%2Fsettings%2Fsessions";
    deepStrictEqual(noJs.requests, [
      "POST /login",
      "POST /login/two-factor",
      "POST /login/two-factor",
      "POST /api/auth/logout",
      "POST /login",
      "POST /login/two-factor",
    ], `plain form posts, no API calls (${q})`);

    deepStrictEqual(js.consoleErrors, []);
    deepStrictEqual(noJs.consoleErrors, [BAD_REQUEST]);
    for (const p of pages) deepStrictEqual(p.cspViolations, []);
  } finally {
    await browser.close();
    await app.stop();
  }
});
