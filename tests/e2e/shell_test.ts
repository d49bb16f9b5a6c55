/**
 * The app shell in real Chromium, against the built app: the header on a
 * phone (one row, at most 64 px, a disclosure menu that works by keyboard
 * without JavaScript, one primary action), the theme switch without
 * JavaScript, the island's extras (Escape, click outside, both theme
 * controls in step), and no horizontal overflow at 320 px on any public page.
 */
import { deepStrictEqual, ok, strictEqual } from "node:assert/strict";
import {
  type Browser,
  launchBrowser,
  type Page,
  trackErrors,
} from "../helpers/browser.ts";
import {
  type AuthApp,
  Client,
  startServedApp,
  uniqueEmail,
} from "../helpers/auth.ts";

const PUBLIC = ["/", "/login", "/signup", "/status", "/no/such/page"];
/** The pages only a signed-in user reaches. */
const ACCOUNT = [
  "/dashboard",
  "/settings",
  "/settings/security",
  "/settings/sessions",
];
const PHONE = { width: 375, height: 800 };
const DESKTOP = { width: 1280, height: 800 };

interface Opts {
  width: number;
  javaScript?: boolean;
  theme?: "light" | "dark";
  session?: { name: string; value: string };
}

async function open(browser: Browser, app: AuthApp, path: string, o: Opts) {
  const context = await browser.newContext({
    viewport: { width: o.width, height: 800 },
    javaScriptEnabled: o.javaScript ?? true,
  });
  context.setDefaultTimeout(10_000);
  const cookies = [];
  if (o.theme) cookies.push({ name: "theme", value: o.theme, url: app.origin });
  if (o.session) cookies.push({ ...o.session, url: app.origin });
  if (cookies.length) await context.addCookies(cookies);
  const opened = trackErrors(await context.newPage());
  const res = await opened.page.goto(app.origin + path);
  if (o.javaScript ?? true) await opened.page.waitForLoadState("networkidle");
  return { context, res, ...opened };
}

/** The menu button as Chromium exposes it to assistive technology. */
async function menuButton(page: Page) {
  const cdp = await page.context().newCDPSession(page);
  try {
    const { nodes } = await cdp.send("Accessibility.getFullAXTree") as {
      nodes: {
        role?: { value: string };
        name?: { value: string };
        properties?: { name: string; value: { value: unknown } }[];
      }[];
    };
    const node = nodes.find((n) => n.role?.value === "DisclosureTriangle");
    ok(node, "the menu is a disclosure (summary) in the accessibility tree");
    const expanded = node.properties?.find((p) => p.name === "expanded");
    return {
      name: node.name?.value,
      expanded: expanded?.value.value === true,
    };
  } finally {
    await cdp.detach();
  }
}

/** The focused element's text (or label) and, for a link, where it leads. */
function focused(page: Page) {
  return page.evaluate(() => {
    const el = document.activeElement!;
    return {
      tag: el.tagName.toLowerCase(),
      name: (el.getAttribute("aria-label") ?? el.textContent ?? "").trim(),
      // Resolved: the header writes landing-page sections relative to the page.
      href: el instanceof HTMLAnchorElement
        ? el.pathname + el.search + el.hash
        : null,
      visible: el.getBoundingClientRect().height > 0,
    };
  });
}

/** Tabs until the focus is on `name` (at most 20 stops); returns the stops passed. */
async function tabTo(page: Page, name: string): Promise<string[]> {
  const seen: string[] = [];
  for (let i = 0; i < 20; i++) {
    await page.keyboard.press("Tab");
    const f = await focused(page);
    if (f.name === name) return seen;
    seen.push(f.name);
  }
  throw new Error(`Tab never reached "${name}"; it went through ${seen}`);
}

function layout(page: Page) {
  return page.evaluate(() => ({
    header: document.querySelector("header")!.getBoundingClientRect().height,
    scrollWidth: document.documentElement.scrollWidth,
    viewport: document.documentElement.clientWidth,
  }));
}

async function signedIn(app: AuthApp) {
  const me = new Client(app);
  await me.register(uniqueEmail("shell"));
  const [name, value] = me.cookie!.split("=", 2);
  return { name, value };
}

Deno.test("Chromium: the app shell on phones and desktops", async (t) => {
  const app = await startServedApp();
  const browser = await launchBrowser();
  try {
    const session = await signedIn(app);

    await t.step(
      "one header row, at most 64 px tall at 375 and 1280 px, on every public page, signed in or not",
      async () => {
        for (const width of [PHONE.width, DESKTOP.width]) {
          // Signed in, the header has the most in it.
          for (const who of [undefined, session]) {
            const { context, page } = await open(browser, app, "/", {
              width,
              session: who,
            });
            try {
              for (const path of [...PUBLIC, ...(who ? ["/dashboard"] : [])]) {
                await page.goto(app.origin + path);
                const { header } = await layout(page);
                ok(
                  header <= 64,
                  `header on ${path} at ${width} px is ${header} px` +
                    (who ? " (signed in)" : ""),
                );
              }
            } finally {
              await context.close();
            }
          }
        }
      },
    );

    await t.step(
      "no horizontal overflow at 320 px on every page, signed in or not, menu closed and open, light and dark",
      async () => {
        for (
          const [theme, who] of [
            ["light", undefined],
            ["dark", undefined],
            ["light", session],
            ["dark", session],
          ] as const
        ) {
          const { context, page } = await open(browser, app, "/", {
            width: 320,
            theme,
            session: who,
          });
          try {
            for (const path of who ? ACCOUNT : PUBLIC) {
              await page.goto(app.origin + path);
              let l = await layout(page);
              ok(
                l.scrollWidth <= l.viewport,
                `${path} (${theme}) is ${l.scrollWidth} px wide at 320 px`,
              );
              await page.locator("header summary").click();
              l = await layout(page);
              ok(
                l.scrollWidth <= l.viewport,
                `${path} with the menu open is ${l.scrollWidth} px wide`,
              );
            }
          } finally {
            await context.close();
          }
        }
      },
    );

    await t.step(
      "without JavaScript the menu opens from the keyboard, says it is expanded, and its links work",
      async () => {
        const { context, page } = await open(browser, app, "/", {
          width: PHONE.width,
          javaScript: false,
        });
        try {
          deepStrictEqual(await menuButton(page), {
            name: "Menu",
            expanded: false,
          });
          const before = await tabTo(page, "Menu");
          deepStrictEqual(before, ["Skip to content", "Islet", "Sign in"]);
          // Closed, its links are not Tab stops.
          await page.keyboard.press("Tab");
          ok((await focused(page)).name !== "Features", "closed menu skipped");
          await page.keyboard.press("Shift+Tab");
          strictEqual((await focused(page)).name, "Menu");

          await page.keyboard.press("Enter");
          deepStrictEqual(await menuButton(page), {
            name: "Menu",
            expanded: true,
          });
          for (
            const [name, href] of [["Features", "/#features"], [
              "For developers",
              "/#developers",
            ], ["Status", "/status"]]
          ) {
            await page.keyboard.press("Tab");
            const f = await focused(page);
            deepStrictEqual(
              { name: f.name, href: f.href, visible: f.visible },
              { name, href, visible: true },
            );
          }
          await page.keyboard.press("Enter");
          await page.waitForURL(`${app.origin}/status`);
          // On /status, its own link in the menu is marked as the current
          // page; a section of the landing page is not marked at all (though
          // "/" counts as an ancestor of every page: the home link is "true").
          await page.locator("header summary").click();
          const menu = page.locator("#site-menu");
          strictEqual(
            await menu.getByRole("link", { name: "Status" }).getAttribute(
              "aria-current",
            ),
            "page",
          );
          for (const name of ["Features", "For developers"]) {
            strictEqual(
              await menu.getByRole("link", { name }).getAttribute(
                "aria-current",
              ),
              null,
              name,
            );
          }
          strictEqual(
            await page.getByRole("link", { name: "Islet", exact: true })
              .getAttribute("aria-current"),
            "true",
          );
        } finally {
          await context.close();
        }
      },
    );

    await t.step(
      "signed in, the phone menu holds Dashboard, Settings and Sign out, reachable without JavaScript",
      async () => {
        const { context, page } = await open(browser, app, "/dashboard", {
          width: PHONE.width,
          javaScript: false,
          session,
        });
        try {
          await tabTo(page, "Menu");
          await page.keyboard.press("Enter");
          const names = [];
          for (let i = 0; i < 6; i++) {
            await page.keyboard.press("Tab");
            names.push((await focused(page)).name);
          }
          deepStrictEqual(names, [
            "Features",
            "For developers",
            "Status",
            "Dashboard",
            "Settings",
            "Sign out",
          ]);
          strictEqual(
            await page.locator("#site-menu a[href='/dashboard']").getAttribute(
              "aria-current",
            ),
            "page",
          );
        } finally {
          await context.close();
        }
      },
    );

    await t.step(
      "without JavaScript the theme buttons post the choice and come back to the same page",
      async () => {
        // Phone: the labelled control in the menu.
        let { context, page } = await open(browser, app, "/status?from=test", {
          width: PHONE.width,
          javaScript: false,
          theme: "light",
        });
        try {
          strictEqual(await page.getAttribute("html", "data-theme"), "light");
          await page.locator("header summary").click();
          await page.locator("#site-menu").getByRole("button", { name: "Dark" })
            .click();
          await page.waitForURL(`${app.origin}/status?from=test`);
          strictEqual(await page.getAttribute("html", "data-theme"), "dark");
          const cookie = (await context.cookies()).find((c) =>
            c.name === "theme"
          );
          strictEqual(cookie?.value, "dark");
          ok(
            cookie!.expires > Date.now() / 1000 + 300 * 24 * 3600,
            "kept a year",
          );
        } finally {
          await context.close();
        }
        // Desktop: the compact icon buttons in the row.
        ({ context, page } = await open(browser, app, "/login", {
          width: DESKTOP.width,
          javaScript: false,
          theme: "dark",
        }));
        try {
          const light = page.locator("header").getByRole("button", {
            name: "Light",
          });
          strictEqual(await light.getAttribute("aria-pressed"), "false");
          await light.click();
          await page.waitForURL(`${app.origin}/login`);
          strictEqual(await page.getAttribute("html", "data-theme"), "light");
          strictEqual(await light.getAttribute("aria-pressed"), "true");
        } finally {
          await context.close();
        }
      },
    );

    await t.step(
      "with JavaScript: Escape and a click outside close the menu, and the theme switches in place",
      async () => {
        const { context, page, consoleErrors, cspViolations } = await open(
          browser,
          app,
          "/",
          { width: PHONE.width, theme: "light" },
        );
        try {
          const menu = page.locator("#site-menu");
          await tabTo(page, "Menu");
          await page.keyboard.press("Enter");
          await page.keyboard.press("Tab");
          strictEqual((await focused(page)).name, "Features");
          await page.keyboard.press("Escape");
          strictEqual(
            await menu.getAttribute("open"),
            null,
            "Escape closed it",
          );
          strictEqual((await focused(page)).name, "Menu", "focus back on Menu");

          await page.locator("header summary").click();
          ok(await menu.getAttribute("open") !== null);
          // Below the open panel: the page, outside the menu.
          await page.mouse.click(10, PHONE.height - 10);
          strictEqual(await menu.getAttribute("open"), null, "outside click");

          // The island switches without a page load; both controls agree.
          await page.locator("header summary").click();
          const url = page.url();
          await menu.getByRole("button", { name: "Dark" }).click();
          await page.waitForFunction(() =>
            document.documentElement.dataset.theme === "dark"
          );
          strictEqual(page.url(), url);
          deepStrictEqual(
            await page.locator("header button[value='dark']").evaluateAll((
              els,
            ) => els.map((e) => e.getAttribute("aria-pressed"))),
            ["true", "true"],
          );
          deepStrictEqual(consoleErrors, []);
          deepStrictEqual(cspViolations, []);
        } finally {
          await context.close();
        }
      },
    );

    await t.step(
      "one primary action: no header Sign in on /login, one on the other public pages",
      async () => {
        for (const width of [PHONE.width, DESKTOP.width]) {
          const { context, page } = await open(browser, app, "/", { width });
          try {
            for (const path of PUBLIC) {
              await page.goto(app.origin + path);
              const signIns = await page.getByRole("link", { name: "Sign in" })
                .or(page.getByRole("button", { name: "Sign in" })).count();
              const inHeader = await page.locator("header").getByRole("link", {
                name: "Sign in",
              }).count();
              if (path === "/login") {
                strictEqual(
                  signIns,
                  1,
                  `only the form's button at ${width} px`,
                );
                strictEqual(inHeader, 0);
                strictEqual(
                  await page.locator("header").getByRole("link", {
                    name: "Create account",
                  }).getAttribute("href"),
                  "/signup",
                );
              } else {
                strictEqual(inHeader, 1, `${path} at ${width} px`);
              }
            }
          } finally {
            await context.close();
          }
        }
      },
    );

    await t.step(
      "the landing page shows the product, speaks to developers, and names unbuilt features only as planned",
      async () => {
        const { context, page } = await open(browser, app, "/", {
          width: PHONE.width,
        });
        try {
          const picture = await page.locator("main img").evaluate((
            el: HTMLImageElement,
          ) => ({
            src: new URL(el.currentSrc).pathname,
            loaded: el.complete && el.naturalWidth > 0,
            alt: el.alt,
          }));
          ok(picture.src.endsWith("/dashboard.svg"), picture.src);
          ok(picture.loaded, "the illustration loads");
          ok(picture.alt.length > 60, "the alt text describes it");
          ok(
            (await page.locator("#developers").textContent())!.includes(
              "npx -y deno@2.9.6 task serve",
            ),
          );
          // Outside the "Not built yet" section, nothing planned is claimed.
          const claims = await page.evaluate(() => {
            const main = document.querySelector("main")!.cloneNode(
              true,
            ) as Element;
            main.querySelector("#planned")?.remove();
            return main.textContent ?? "";
          });
          const PLANNED = [
            /two-factor/i,
            /stripe/i,
            /billing/i,
            /github/i,
            /google/i,
            /password reset/i,
            /oauth/i,
          ];
          for (const planned of PLANNED) {
            ok(!planned.test(claims), `the landing page claims ${planned}`);
          }
          const listed = (await page.locator("#planned").textContent())!;
          for (const planned of PLANNED.slice(0, 6)) {
            ok(planned.test(listed), `${planned} is listed as planned`);
          }
        } finally {
          await context.close();
        }
      },
    );

    await t.step(
      "the footer's Service status opens the status page, in words",
      async () => {
        const { context, page } = await open(browser, app, "/", {
          width: DESKTOP.width,
        });
        try {
          await page.locator("footer").getByRole("link", {
            name: "Service status",
          }).click();
          await page.waitForURL(`${app.origin}/status`);
          strictEqual(
            await page.getByRole("heading", { level: 1 }).textContent(),
            "Service status",
          );
          strictEqual(
            await page.getByTestId("status-summary").textContent(),
            "Everything is working.",
          );
        } finally {
          await context.close();
        }
      },
    );
  } finally {
    await browser.close();
    await app.stop();
  }
});
