/**
 * The built app in real Chromium: the ThemeToggle island hydrates, reacts
 * to a click, persists the choice, and nothing breaks the CSP.
 */
import { deepStrictEqual, strictEqual } from "node:assert/strict";
import { launchBrowser, openPage } from "../helpers/browser.ts";
import { startServer } from "../helpers/server.ts";

Deno.test("Chromium: the theme island hydrates, switches theme and persists it, with no console error", async () => {
  const dir = await Deno.makeTempDir({ prefix: "islet-e2e-" });
  const server = await startServer({
    env: { DATABASE_PATH: `${dir}/test.db` },
  });
  const browser = await launchBrowser();
  try {
    const { page, consoleErrors, cspViolations } = await openPage(
      browser,
      `${server.url}/`,
    );
    await page.waitForLoadState("networkidle");
    strictEqual(await page.getAttribute("html", "data-theme"), "system");

    await page.getByRole("button", { name: "Dark" }).click();
    await page.waitForFunction(() =>
      document.documentElement.dataset.theme === "dark"
    );
    strictEqual(
      await page.getByRole("button", { name: "Dark" }).getAttribute(
        "aria-pressed",
      ),
      "true",
    );
    const bg = await page.evaluate(() =>
      getComputedStyle(document.body).backgroundColor
    );
    strictEqual(
      bg,
      "oklch(0.129 0.042 264.695)",
      "Tailwind's dark:bg-slate-950 applies",
    );

    // The server renders the stored choice on the next load: no flash.
    await page.reload();
    strictEqual(await page.getAttribute("html", "data-theme"), "dark");

    deepStrictEqual(consoleErrors, []);
    deepStrictEqual(cspViolations, []);
  } finally {
    await browser.close();
    await server.stop();
    await Deno.remove(dir, { recursive: true });
  }
});
