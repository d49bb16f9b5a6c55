/**
 * Headless Debian Chromium driven by playwright-core (which ships no browser
 * of its own and cannot download one here).
 *
 * @module
 */
import { chromium } from "playwright-core";
import type { Browser, Page } from "playwright-core";

export type { Browser, Page };

/** Where Debian's `chromium` package installs the browser. */
export const CHROMIUM_PATH = "/usr/bin/chromium";

/**
 * Whether Debian's Chromium is installed, for `ignore:` on browser tests.
 *
 * @example
 * ```ts
 * Deno.test({ name: "island hydrates", ignore: !hasChromium(), async fn() {} });
 * ```
 */
export function hasChromium(): boolean {
  try {
    return Deno.statSync(CHROMIUM_PATH).isFile;
  } catch {
    return false;
  }
}

/**
 * Launch headless Chromium. Close it in a `finally`.
 *
 * @example
 * ```ts
 * import { startServer } from "./server.ts";
 * const server = await startServer();
 * const browser = await launchBrowser();
 * try {
 *   const { page } = await openPage(browser, server.url);
 * } finally {
 *   await browser.close();
 *   await server.stop();
 * }
 * ```
 */
export async function launchBrowser(): Promise<Browser> {
  if (!hasChromium()) {
    throw new Error(
      `${CHROMIUM_PATH} not found: run the tests via \`deno task test\`, ` +
        "which installs it, or apt-get install chromium",
    );
  }
  return await chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    // --no-sandbox: tests run as root. The networking flags stop Chromium
    // from reaching out to Google services, which this sandbox refuses.
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

/** A page plus everything it complained about since it was opened. */
export interface OpenedPage {
  page: Page;
  /** Console errors and uncaught page errors (CSP violations included). */
  consoleErrors: string[];
  /** The subset of console errors that are Content Security Policy reports. */
  cspViolations: string[];
}

/**
 * Open `url` in a fresh page (own context) and collect errors while it lives.
 * Listeners are attached before navigation so load-time errors are caught.
 *
 * CSP violations are detected from Chromium's console errors, not from a
 * `securitypolicyviolation` listener, because injecting a listener script
 * would itself have to get past the CSP under test.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * declare const browser: Browser;
 * const { page, consoleErrors, cspViolations } = await openPage(browser, "http://127.0.0.1:8000/login");
 * await page.click("button");
 * assert.deepEqual(consoleErrors, []);
 * assert.deepEqual(cspViolations, []);
 * ```
 */
export async function openPage(
  browser: Browser,
  url: string,
): Promise<OpenedPage> {
  const opened = trackErrors(await browser.newPage());
  await opened.page.goto(url, { waitUntil: "load" });
  return opened;
}

/**
 * Start collecting a page's console errors, uncaught errors and CSP
 * violations (as {@linkcode openPage} does), for pages made by hand, e.g.
 * in a context with its own options.
 *
 * @example
 * ```ts
 * declare const browser: Browser;
 * const context = await browser.newContext({ javaScriptEnabled: false });
 * const { page, consoleErrors } = trackErrors(await context.newPage());
 * ```
 */
export function trackErrors(page: Page): OpenedPage {
  const consoleErrors: string[] = [];
  const cspViolations: string[] = [];
  page.on("console", (msg) => {
    if (msg.type() !== "error") return;
    const text = msg.text();
    consoleErrors.push(text);
    if (/Content[- ]Security[- ]Policy/i.test(text)) cspViolations.push(text);
  });
  page.on("pageerror", (err) => {
    consoleErrors.push(`pageerror: ${err.stack ?? err.message}`);
  });
  return { page, consoleErrors, cspViolations };
}

/**
 * Waits until the islands of a loaded page are hydrated. The island runtime
 * hydrates each island in a "user-visible" scheduler task posted while the
 * page loaded (before its `load` event); a "background" task posted after
 * that runs only once none of those is left.
 *
 * @example
 * ```ts
 * declare const browser: Browser;
 * const { page } = await openPage(browser, "http://127.0.0.1:8000/");
 * await islandsHydrated(page);
 * await page.getByRole("button", { name: "Dark" }).click();
 * ```
 */
export async function islandsHydrated(page: Page): Promise<void> {
  await page.waitForLoadState("load");
  await page.evaluate(() =>
    new Promise<void>((resolve) =>
      (globalThis as unknown as {
        scheduler: {
          postTask(fn: () => void, o: { priority: string }): unknown;
        };
      }).scheduler.postTask(resolve, { priority: "background" })
    )
  );
}
