/**
 * Turning two-factor on and off from settings in real Chromium, against
 * the served app on SQLite and PostgreSQL, mail through a real SMTP
 * server. The test is the person with the authenticator app: it reads the
 * text key from the page (no QR scanning) and computes the codes from it.
 * With JavaScript (the island, through the JSON API), without it (the
 * plain forms), and from the keyboard alone; between turning it on and
 * off, a sign-out and a sign-in with the password and then a code (or,
 * without JavaScript, a recovery code).
 */
import { deepStrictEqual, match, ok, strictEqual } from "node:assert/strict";
import { RECOVERY_CODE_COUNT } from "../../lib/auth/recovery_codes.ts";
import type { Engine } from "../../lib/db/db.ts";
import {
  createPgDatabase,
  dropPgDatabase,
  ENGINES,
} from "../../lib/db/testing.ts";
import {
  codeFor,
  secretFromKeyText,
  wrongCodeFor,
} from "../helpers/authenticator.ts";
import {
  type AuthApp,
  Client,
  PASSWORD,
  startServedApp,
  uniqueEmail,
} from "../helpers/auth.ts";
import {
  type Browser,
  islandsHydrated,
  launchBrowser,
  type Page,
  trackErrors,
} from "../helpers/browser.ts";
import { startSmtp, type TestSmtp } from "../helpers/smtp.ts";

const PAGE = "/settings/two-factor";

interface World {
  app: AuthApp;
  base: string;
  smtp: TestSmtp;
  browser: Browser;
}

/** One test per engine (or only `engines`), each with its own SMTP server, served app and browser. */
function e2eTest(
  name: string,
  fn: (w: World) => Promise<void>,
  engines: readonly Engine[] = ENGINES,
) {
  for (const engine of engines) {
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

/** Signs `email` in on `page` through the sign-in form (its password: a code may follow). */
async function signIn(
  page: Page,
  base: string,
  email: string,
  landing = "/dashboard",
) {
  await page.goto(`${base}/login`);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  // The code page carries where to go next in its query.
  await page.waitForURL((url) =>
    url.origin === base && url.pathname === landing
  );
}

/** The text key on the page, and the secret it spells. */
async function keyOf(page: Page) {
  const text = (await page.getByTestId("totp-key").textContent() ?? "").trim();
  match(text, /^(?:[A-Z2-7]{4} )*[A-Z2-7]{1,4}$/);
  return { text, secret: secretFromKeyText(text) };
}

/** The recovery codes on the page. */
async function codesOf(page: Page): Promise<string[]> {
  const codes = await page.getByTestId("recovery-codes").locator("code")
    .allTextContents();
  strictEqual(codes.length, RECOVERY_CODE_COUNT);
  return codes;
}

/** The QR code is drawn: an SVG of real size with shapes in it. */
async function assertQrDrawn(page: Page) {
  const svg = page.getByTestId("totp-qr").locator("svg");
  await svg.waitFor();
  const box = await svg.boundingBox();
  ok(box && box.width >= 150 && box.height >= 150, JSON.stringify(box));
  ok(await svg.locator("path, rect").count() > 0, "the SVG draws something");
}

e2eTest(
  "with JavaScript: set up from the text key, a wrong code keeps the key, turn on (codes once, focus, mail), sign out, in with a code, turn off",
  async ({ app, base, smtp, browser }) => {
    const email = uniqueEmail("e2e-tfa");
    await new Client(app).signUp(email);
    const context = await browser.newContext();
    const { page, consoleErrors, cspViolations } = trackErrors(
      await context.newPage(),
    );
    await signIn(page, base, email);
    await page.goto(`${base}/settings/security`);
    await page.getByRole("link", { name: "Set up two-factor" }).click();
    await page.waitForURL(`${base}${PAGE}`);
    await islandsHydrated(page);
    const requests: string[] = [];
    page.on("request", (r) => requests.push(`${r.method()} ${r.url()}`));

    await page.getByRole("button", { name: "Set up two-factor" }).click();
    await assertQrDrawn(page);
    strictEqual(new URL(page.url()).pathname, PAGE, "no page load");
    const key = await keyOf(page);
    strictEqual(
      await page.evaluate(() => document.activeElement?.textContent),
      "Add Islet to your authenticator app",
      "focus moves to the new step",
    );

    const field = page.getByLabel("6-digit code from the app");
    await field.fill(wrongCodeFor(key.secret));
    await page.getByRole("button", { name: "Turn on two-factor" }).click();
    await page.locator("#two-factor-code-error").waitFor();
    strictEqual(await field.getAttribute("aria-invalid"), "true");
    strictEqual((await keyOf(page)).text, key.text, "the same key stays");

    await field.fill(codeFor(key.secret));
    await page.getByRole("button", { name: "Turn on two-factor" }).click();
    const done = page.getByRole("heading", {
      name: "Two-factor authentication is on",
    });
    await done.waitFor();
    strictEqual(
      await page.evaluate(() => document.activeElement?.textContent),
      "Two-factor authentication is on",
    );
    match(
      await page.locator("p[role=status].sr-only").textContent() ?? "",
      /Two-factor authentication is on/,
    );
    const codes = await codesOf(page);
    await page.getByText("they will not be shown again").waitFor();
    ok(
      requests.every((r) => codes.every((c) => !r.includes(c))),
      "no code in a URL",
    );
    await smtp.waitFor((m) =>
      m.to === email && /^Two-factor sign-in is on/.test(m.subject)
    );

    // Download as text: a file of the codes, made in the browser.
    const download = page.waitForEvent("download");
    await page.getByRole("button", { name: "Download as text" }).click();
    const file = await download;
    strictEqual(file.suggestedFilename(), "islet-recovery-codes.txt");
    const saved = await Deno.readTextFile((await file.path())!);
    for (const code of codes) ok(saved.includes(code));

    await page.getByRole("link", { name: "I have stored my recovery codes" })
      .click();
    await page.waitForURL(`${base}${PAGE}`);
    match(
      await page.getByTestId("recovery-codes-left").textContent() ?? "",
      /10 recovery codes left/,
    );
    const html = await page.content();
    ok(codes.every((c) => !html.includes(c)), "shown once");

    // Signed out, then in again: the password, then a code from the app
    // (the next one: the current step was spent turning it on).
    await page.getByRole("button", { name: "Sign out", exact: true }).click();
    await page.waitForURL(`${base}/login`);
    await signIn(page, base, email, "/login/two-factor");
    await page.getByLabel("6-digit code").fill(codeFor(key.secret, 1));
    await page.getByRole("button", { name: "Continue" }).click();
    await page.waitForURL(`${base}/dashboard`);

    // Turned off with that sign-in (recent enough).
    await page.goto(`${base}${PAGE}`);
    await page.getByRole("button", { name: "Turn off two-factor" }).click();
    await page.getByTestId("notice").waitFor();
    match(
      await page.getByTestId("notice").textContent() ?? "",
      /Two-factor authentication is off/,
    );
    await page.getByRole("button", { name: "Set up two-factor" }).waitFor();
    await smtp.waitFor((m) =>
      m.to === email && /^Two-factor sign-in is off/.test(m.subject)
    );

    deepStrictEqual(cspViolations, []);
    deepStrictEqual(
      consoleErrors.filter((e) => !/status of 400/.test(e)),
      [],
    );
    await context.close();
  },
);

e2eTest(
  "without JavaScript: the plain forms set up, refuse a wrong code (same key), turn on, renew the codes, sign in with one, turn off",
  async ({ app, base, browser }) => {
    const email = uniqueEmail("e2e-tfa-nojs");
    await new Client(app).signUp(email);
    const context = await browser.newContext({ javaScriptEnabled: false });
    const { page, consoleErrors, cspViolations } = trackErrors(
      await context.newPage(),
    );
    await signIn(page, base, email);
    await page.goto(`${base}${PAGE}`);

    await page.getByRole("button", { name: "Set up two-factor" }).click();
    await page.waitForLoadState("load");
    await assertQrDrawn(page);
    const key = await keyOf(page);

    await page.getByLabel("6-digit code from the app").fill(
      wrongCodeFor(key.secret),
    );
    await page.getByRole("button", { name: "Turn on two-factor" }).click();
    await page.locator("#two-factor-code-error").waitFor();
    strictEqual((await keyOf(page)).text, key.text, "the same key stays");

    await page.getByLabel("6-digit code from the app").fill(
      codeFor(key.secret),
    );
    await page.getByRole("button", { name: "Turn on two-factor" }).click();
    await page.getByRole("heading", { name: "Two-factor authentication is on" })
      .waitFor();
    const first = await codesOf(page);
    ok(
      await page.getByRole("button", { name: "Download as text" }).isHidden(),
      "no button that cannot work without JavaScript",
    );

    await page.getByRole("link", { name: "I have stored my recovery codes" })
      .click();
    await page.getByRole("button", { name: "Make new recovery codes" })
      .click();
    await page.getByText("The old ones no longer work").waitFor();
    const second = await codesOf(page);
    ok(second.every((c) => !first.includes(c)));

    // Signed out, then in with the password and one of the new recovery
    // codes, all by plain forms.
    await page.getByRole("button", { name: "Sign out", exact: true }).click();
    await page.waitForURL(`${base}/login`);
    await signIn(page, base, email, "/login/two-factor");
    await page.getByRole("link", { name: "Use a recovery code instead" })
      .click();
    await page.getByLabel("Recovery code").fill(second[0]);
    await page.getByRole("button", { name: "Continue" }).click();
    await page.waitForURL(`${base}/dashboard`);

    await page.goto(`${base}${PAGE}`);
    match(
      await page.getByTestId("recovery-codes-left").textContent() ?? "",
      /9 recovery codes left/,
    );
    await page.getByRole("button", { name: "Turn off two-factor" }).click();
    await page.getByTestId("notice").waitFor();
    strictEqual(new URL(page.url()).pathname, PAGE);
    await page.getByRole("button", { name: "Set up two-factor" }).waitFor();

    deepStrictEqual(cspViolations, []);
    deepStrictEqual(
      consoleErrors.filter((e) => !/status of 400/.test(e)),
      [],
    );
    await context.close();
  },
);

e2eTest(
  "from the keyboard alone (Tab, Enter and typing): set up and turn on",
  async ({ app, base, browser }) => {
    const email = uniqueEmail("e2e-tfa-keys");
    await new Client(app).signUp(email);
    const context = await browser.newContext();
    const { page, consoleErrors, cspViolations } = trackErrors(
      await context.newPage(),
    );
    await signIn(page, base, email);
    await page.goto(`${base}${PAGE}`);
    await islandsHydrated(page);
    const { keyboard } = page;
    const focusedName = () =>
      page.evaluate(() => {
        const el = document.activeElement;
        return `${el?.tagName.toLowerCase()}#${el?.id}:${el?.textContent?.trim()}`;
      });

    let at = "";
    for (let i = 0; i < 40 && !at.endsWith(":Set up two-factor"); i++) {
      await keyboard.press("Tab");
      at = await focusedName();
    }
    match(at, /^button#:Set up two-factor$/, "Tab reaches the button");
    await keyboard.press("Enter");
    await page.getByTestId("totp-key").waitFor();
    const key = await keyOf(page);

    await keyboard.press("Tab");
    match(await focusedName(), /^input#two-factor-code:/, "then the code");
    await keyboard.type(codeFor(key.secret));
    await keyboard.press("Enter");
    await page.getByTestId("recovery-codes").waitFor();
    strictEqual(
      await focusedName(),
      "h3#:Two-factor authentication is on",
      "focus lands on the result",
    );
    await keyboard.press("Tab");
    match(await focusedName(), /^button#:Copy the codes$/);
    await keyboard.press("Tab");
    match(await focusedName(), /^button#:Download as text$/);

    deepStrictEqual(cspViolations, []);
    deepStrictEqual(consoleErrors, []);
    await context.close();
  },
  ["sqlite"],
);
