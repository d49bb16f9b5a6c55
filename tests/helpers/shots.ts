/**
 * Screenshots of the public pages at 320, 375, 768 and 1280 px in both themes,
 * menu closed and open, for looking at by eye (not a test):
 * `deno run -A tests/helpers/shots.ts <outdir> [path...]`; `SIGNED_IN=1`
 * shoots them as a signed-in user. `TWO_FACTOR=1`: the account has
 * two-factor on; signed in (with a code), another sign-in of it waits for
 * its code elsewhere; not signed in, this browser's sign-in waits for its
 * code (the code page, `/login/two-factor`). `FLASH=<value>` sends a
 * flash cookie with every page (`FLASH=recovery_code_used.2`).
 * `BILLING=free|active|past_due|canceling`: a confirmed account in that
 * billing state, Stripe being the stand-in. `OAUTH=1`: GitHub, Google and
 * an OpenID Connect provider configured (the tests' stand-ins).
 *
 * @module
 */
import { Client, startServedApp, uniqueEmail } from "./auth.ts";
import { billingAccount, type BillingKind } from "./billing.ts";
import { launchBrowser } from "./browser.ts";
import { startOAuthStandins } from "./oauth.ts";
import { StripeStandin } from "./stripe_standin.ts";
import { pendingClient, twoFactorAccount } from "./two_factor.ts";

const out = Deno.args[0] ?? "/tmp/shots";
const paths = Deno.args.length > 1
  ? Deno.args.slice(1)
  : ["/", "/login", "/signup", "/status", "/no/such/page"];
await Deno.mkdir(out, { recursive: true });
const billing = Deno.env.get("BILLING") as BillingKind | undefined;
const stripe = await StripeStandin.start();
const idps = Deno.env.get("OAUTH") ? await startOAuthStandins() : null;
const app = await startServedApp({
  env: { ...stripe.env(), ...(idps?.env() ?? {}) },
});
idps?.registerApp(new URL(app.url).origin);
let session: { name: string; value: string } | undefined;
let me: Client | undefined;
let prefix = "";
if (billing) {
  me = (await billingAccount(app, stripe, billing)).client;
  prefix = `${billing}-`;
} else if (Deno.env.get("TWO_FACTOR")) {
  const account = await twoFactorAccount(app);
  if (Deno.env.get("SIGNED_IN")) {
    me = await account.signedIn();
    await pendingClient(app, account, {
      userAgent:
        "Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0",
    });
    prefix = "2fa-in-";
  } else {
    me = await pendingClient(app, account);
    prefix = "2fa-pending-";
  }
} else if (Deno.env.get("SIGNED_IN")) {
  me = new Client(app);
  await me.register(uniqueEmail("shots"));
  prefix = "in-";
}
if (me) {
  const [name, value] = me.cookie!.split("=", 2);
  session = { name, value };
}
const browser = await launchBrowser();
try {
  for (const width of [320, 375, 768, 1280]) {
    for (const theme of ["light", "dark"]) {
      // Signed-in pages wear the theme stored with the account.
      await me?.post("/api/account/preferences", { json: { theme } });
      const context = await browser.newContext({
        viewport: { width, height: 800 },
      });
      await context.addCookies([
        { name: "theme", value: theme, url: app.origin },
        ...(session ? [{ ...session, url: app.origin }] : []),
      ]);
      const page = await context.newPage();
      const flash = Deno.env.get("FLASH");
      for (const path of paths) {
        if (flash) {
          await context.addCookies([
            { name: "flash", value: flash, url: app.origin },
          ]);
        }
        await page.goto(app.origin + path);
        await page.waitForLoadState("networkidle");
        const name = prefix +
          (path === "/" ? "home" : path.slice(1).replace(/[/?&=]/g, "_"));
        const header = await page.evaluate(() => {
          const h = document.querySelector("header")!.getBoundingClientRect();
          return { h: h.height, sw: document.documentElement.scrollWidth };
        });
        console.log(width, theme, path, JSON.stringify(header));
        await page.screenshot({
          path: `${out}/${name}-${width}-${theme}.png`,
          fullPage: true,
        });
        const menu = page.locator("header details summary");
        if (await menu.count() > 0 && await menu.first().isVisible()) {
          await menu.first().click();
          await page.screenshot({
            path: `${out}/${name}-${width}-${theme}-menu.png`,
          });
        }
      }
      await context.close();
    }
  }
} finally {
  await browser.close();
  await app.stop();
  await stripe.close();
  await idps?.stop();
}
