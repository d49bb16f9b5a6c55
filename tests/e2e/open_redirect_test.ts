/**
 * Sign-in with a hostile `?next=` in real Chromium: whatever the target,
 * the browser ends on the app's own origin, at the path safeNext() chose,
 * with JavaScript (the island's location.assign) and without (the form's
 * 303). Any other host is answered by a stub, so a slip is seen, not lost
 * in a DNS error.
 *
 * @module
 */
import { strictEqual } from "node:assert/strict";
import { safeNext } from "../../lib/web/safe_next.ts";
import { launchBrowser, trackErrors } from "../helpers/browser.ts";
import {
  Client,
  PASSWORD,
  startServedApp,
  uniqueEmail,
} from "../helpers/auth.ts";

/** Raw query strings after `next=`, as an attacker would write the link. */
const NASTY = [
  "/.//evil.example",
  "%2F.%2F%2Fevil.example",
  "/%2e//evil.example",
  "/%5Cevil.example",
  "%2F%09%2Fevil.example",
  "//evil.example",
  "https://evil.example/",
  "/%2f%2fevil.example",
];

Deno.test("Chromium: a hostile next= never takes a signed-in browser off the site", async () => {
  const app = await startServedApp({ env: { RATE_LIMITS: "off" } });
  const base = app.origin; // http://localhost:<port>, the app's own origin
  const browser = await launchBrowser();
  try {
    const email = uniqueEmail("redirect");
    await new Client(app).register(email);
    for (const javaScriptEnabled of [true, false]) {
      const context = await browser.newContext({ javaScriptEnabled });
      const offSite: string[] = [];
      await context.route(
        (url) => url.origin !== base,
        (route) => {
          offSite.push(route.request().url());
          return route.fulfill({ status: 200, body: "off site" });
        },
      );
      const { page } = trackErrors(await context.newPage());
      const islandUsed: string[] = [];
      page.on("request", (r) => {
        if (r.method() === "POST") islandUsed.push(new URL(r.url()).pathname);
      });
      for (const raw of NASTY) {
        const what = `${javaScriptEnabled ? "JS" : "no JS"}: next=${raw}`;
        await context.clearCookies();
        islandUsed.length = 0;
        await page.goto(`${base}/login?next=${raw}`);
        if (javaScriptEnabled) await page.waitForLoadState("networkidle");
        // What the server read from the link, and so what it must choose.
        const next = new URL(`${base}/login?next=${raw}`).searchParams.get(
          "next",
        );
        const expected = new URL(safeNext(next), base).href;
        await page.getByLabel("Email").fill(email);
        await page.getByLabel("Password").fill(PASSWORD);
        await page.getByRole("button", { name: "Sign in" }).click();
        await page.waitForURL((url) => !url.pathname.startsWith("/login"));
        await page.waitForLoadState();
        strictEqual(new URL(page.url()).origin, base, what);
        strictEqual(page.url(), expected, what);
        strictEqual(offSite.length, 0, `${what}: ${offSite.join(", ")}`);
        // Each mode took its own path: the island's API call or the form post.
        strictEqual(
          islandUsed[0],
          javaScriptEnabled ? "/api/auth/login" : "/login",
          what,
        );
      }
      await context.close();
    }
  } finally {
    await browser.close();
    await app.stop();
  }
});
