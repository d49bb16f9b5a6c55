/**
 * Screenshots of the public pages at 320, 375, 768 and 1280 px in both themes,
 * menu closed and open, for looking at by eye (not a test):
 * `deno run -A tests/helpers/shots.ts <outdir> [path...]`; `SIGNED_IN=1`
 * shoots them as a signed-in user; `BILLING=free|active|past_due|canceling`
 * as a confirmed account in that billing state, Stripe being the stand-in.
 *
 * @module
 */
import { Client, startServedApp, uniqueEmail } from "./auth.ts";
import { billingAccount, type BillingKind } from "./billing.ts";
import { launchBrowser } from "./browser.ts";
import { StripeStandin } from "./stripe_standin.ts";

const out = Deno.args[0] ?? "/tmp/shots";
const paths = Deno.args.length > 1
  ? Deno.args.slice(1)
  : ["/", "/login", "/signup", "/status", "/no/such/page"];
await Deno.mkdir(out, { recursive: true });
const billing = Deno.env.get("BILLING") as BillingKind | undefined;
const stripe = await StripeStandin.start();
const app = await startServedApp({ env: stripe.env() });
let session: { name: string; value: string } | undefined;
let me: Client | undefined;
if (billing) {
  me = (await billingAccount(app, stripe, billing)).client;
} else if (Deno.env.get("SIGNED_IN")) {
  me = new Client(app);
  await me.register(uniqueEmail("shots"));
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
      for (const path of paths) {
        await page.goto(app.origin + path);
        await page.waitForLoadState("networkidle");
        const name = (billing ? `${billing}-` : session ? "in-" : "") +
          (path === "/" ? "home" : path.slice(1).replaceAll("/", "_"));
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
}
