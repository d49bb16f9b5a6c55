/**
 * The account area in real Chromium: the session forms confirm what they
 * did once (a reload does not bring the notice back, nor post again), the
 * settings navigation marks the current section, and signing out lands on
 * a page that says so. No console error and no CSP violation.
 */
import {
  deepStrictEqual,
  notStrictEqual,
  ok,
  strictEqual,
} from "node:assert/strict";
import { launchBrowser, trackErrors } from "../helpers/browser.ts";
import { Client, startServedApp, uniqueEmail } from "../helpers/auth.ts";
import { formatUtcDateTime } from "../../lib/web/date_time.ts";

const FIREFOX =
  "Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0";

Deno.test("Chromium: a notice shows once and not again on reload; sign-out says so", async () => {
  const app = await startServedApp();
  const base = app.origin;
  const browser = await launchBrowser();
  try {
    for (const javaScriptEnabled of [true, false]) {
      const email = uniqueEmail("e2e-account");
      const me = new Client(app);
      await me.register(email);
      const others = [new Client(app, { userAgent: FIREFOX }), new Client(app)];
      for (const c of others) await c.login(email);

      const context = await browser.newContext({
        javaScriptEnabled,
        timezoneId: "Asia/Tokyo",
      });
      const [name, value] = me.cookie!.split("=", 2);
      await context.addCookies([{ name, value, url: base }]);
      const { page, consoleErrors, cspViolations } = trackErrors(
        await context.newPage(),
      );
      const posts: string[] = [];
      page.on("request", (r) => {
        if (r.method() === "POST") posts.push(new URL(r.url()).pathname);
      });
      try {
        await page.goto(`${base}/settings/sessions`);
        strictEqual(
          await page.getByRole("link", { name: "Sessions" }).getAttribute(
            "aria-current",
          ),
          "page",
        );
        // /settings is the root of the area: its tab (and the header's
        // Settings link) say "you are in here", not "this page".
        strictEqual(
          await page.getByRole("link", { name: "Account" }).getAttribute(
            "aria-current",
          ),
          "true",
        );
        strictEqual(
          await page.getByRole("link", { name: "Security" }).getAttribute(
            "aria-current",
          ),
          null,
        );
        strictEqual(
          await page.getByRole("navigation", { name: "Account" })
            .getByRole("link", { name: "Settings" }).getAttribute(
              "aria-current",
            ),
          "true",
        );
        // Only the open section is highlighted; the Account tab looks like
        // any other.
        const tabColour = (name: string) =>
          page.getByRole("navigation", { name: "Settings sections" })
            .getByRole("link", { name }).evaluate((el) => {
              const style = getComputedStyle(el);
              return `${style.color} ${style.borderBottomColor}`;
            });
        strictEqual(await tabColour("Account"), await tabColour("Security"));
        notStrictEqual(
          await tabColour("Sessions"),
          await tabColour("Security"),
        );
        strictEqual(await page.getByRole("status").count(), 0);
        // Times read "just now"; their title is the exact time, in the
        // reader's zone once JavaScript runs, in UTC (said so) without it.
        const time = page.locator("time").first();
        strictEqual(await time.textContent(), "just now");
        const iso = (await time.getAttribute("datetime"))!;
        const tokyo = new Date(iso).toLocaleString("en-US", {
          dateStyle: "medium",
          timeStyle: "short",
          timeZone: "Asia/Tokyo",
        });
        if (javaScriptEnabled) {
          await page.waitForFunction(
            (want) => document.querySelector("time")?.title === want,
            tokyo,
          );
        } else {
          strictEqual(
            await time.getAttribute("title"),
            `${formatUtcDateTime(Date.parse(iso))} UTC`,
          );
        }
        await page.getByRole("button", {
          name: "Sign out all other sessions (2)",
        }).click();
        await page.waitForURL(`${base}/settings/sessions`);
        strictEqual(
          await page.getByRole("status").textContent(),
          "2 other sessions were signed out.",
        );
        for (const c of others) strictEqual(await c.meStatus(), 401);

        await page.reload();
        strictEqual(
          await page.getByRole("status").count(),
          0,
          "gone on reload",
        );
        deepStrictEqual(
          posts,
          ["/settings/sessions"],
          "the reload did not post",
        );

        await page.getByRole("button", { name: "Sign out" }).click();
        await page.waitForURL(`${base}/login`);
        strictEqual(
          await page.getByRole("status").textContent(),
          "You have signed out.",
        );
        await page.reload();
        strictEqual(await page.getByRole("status").count(), 0);
        deepStrictEqual(consoleErrors, []);
        deepStrictEqual(cspViolations, []);
      } finally {
        await context.close();
      }
    }
  } finally {
    await browser.close();
    await app.stop();
  }
});

Deno.test("Chromium: signing up with a taken email reads exactly as with a new one, with and without JavaScript", async () => {
  // Four sign-ups from one browser address: past the registration limit.
  const app = await startServedApp({ env: { RATE_LIMITS: "off" } });
  const base = app.origin;
  const browser = await launchBrowser();
  try {
    const taken = uniqueEmail("taken");
    await new Client(app).register(taken);
    const seen: string[] = [];
    for (const javaScriptEnabled of [true, false]) {
      for (const email of [taken, uniqueEmail("new")]) {
        const context = await browser.newContext({ javaScriptEnabled });
        try {
          const page = await context.newPage();
          await page.goto(`${base}/signup`);
          await page.waitForLoadState("networkidle");
          await page.getByLabel("Email").fill(email);
          await page.getByLabel("Password").fill("Tulip orbit 7391 quartz!");
          await page.getByRole("button", { name: "Create account" }).click();
          const answer = page.getByTestId("check-inbox");
          await answer.waitFor();
          seen.push(
            ((await answer.textContent()) ?? "").replaceAll(email, "<address>"),
          );
          strictEqual(await page.getByRole("alert").count(), 0);
          strictEqual(
            (await context.cookies()).filter((c) => /session/.test(c.name))
              .length,
            0,
            "signed in by neither",
          );
        } finally {
          await context.close();
        }
      }
    }
    strictEqual(new Set(seen).size, 1, seen.join("\n"));
    ok(seen[0].startsWith("Check your inbox at <address> to confirm it."));
  } finally {
    await browser.close();
    await app.stop();
  }
});
