/**
 * The person at the OpenID Connect stand-in (`oidc_provider.ts`): its
 * development pages filled in, with fetch and a cookie jar
 * ({@linkcode driveOidc}) or in Chromium ({@linkcode oidcLoginInPage}).
 * Its pages: a login form (`prompt=login`: any password), then a consent
 * form (`prompt=consent`, "Continue"); each has a "[ Cancel ]" link, which
 * ends the flow with `error=access_denied`.
 *
 * @module
 */
import type { Page } from "./browser.ts";
import {
  CookieJar,
  followWithin,
  pageText,
  unescapeHtml,
} from "./oauth_jar.ts";

/** How the person answers. */
export interface DriveOptions {
  /** Cancel at the first page instead of signing in. */
  deny?: boolean;
}

/**
 * Goes through the provider's pages as `login` (a fresh browser: no
 * provider session) and returns where the provider then sends the
 * browser: the app's callback with `code`, `state` and `iss`, or with
 * `error=access_denied` when `deny`. Throws, with the provider's words,
 * when it shows an error page instead (a redirect URI not registered; a
 * login it does not know is its `server_error` page).
 *
 * @example
 * ```ts
 * declare const authorizationUrl: URL;
 * const callback = await driveOidc(authorizationUrl, "alice");
 * console.log(callback.searchParams.get("code"));
 * ```
 */
export async function driveOidc(
  authorizationUrl: URL | string,
  login: string,
  opts: DriveOptions = {},
): Promise<URL> {
  let url = new URL(authorizationUrl);
  const origin = url.origin;
  const jar = new CookieJar();
  let res = await jar.fetch(url);
  let loggedIn = false;
  for (let pages = 0; pages < 10; pages++) {
    const at = await followWithin(jar, url, res, origin);
    if ("left" in at) return at.left;
    if (at.status !== 200) {
      throw new Error(
        `the provider answered ${at.status} at ${at.url.pathname}: ${
          pageText(at.page)
        }`,
      );
    }
    url = at.url;
    const prompt = /name="prompt" value="([a-z]+)"/.exec(at.page)?.[1];
    const action = /<form[^>]*action="([^"]+)"/.exec(at.page)?.[1];
    if (prompt === undefined || action === undefined) {
      throw new Error(
        `no login or consent form at ${url.pathname}: ${pageText(at.page)}`,
      );
    }
    if (opts.deny) {
      const abort = /href="([^"]*\/abort)"/.exec(at.page)?.[1];
      if (abort === undefined) throw new Error("no Cancel link on the page");
      url = new URL(unescapeHtml(abort), url);
      res = await jar.fetch(url);
      continue;
    }
    const form = new URLSearchParams({ prompt });
    if (prompt === "login") {
      if (loggedIn) {
        throw new Error(
          `the provider asked for the login again: is "${login}" one of its users?`,
        );
      }
      loggedIn = true;
      form.set("login", login);
      form.set("password", "any password");
    }
    url = new URL(unescapeHtml(action), url);
    res = await jar.fetch(url, { method: "POST", body: form });
  }
  throw new Error("the provider kept showing pages");
}

/**
 * The same in a Chromium page that is at (or being redirected to) the
 * provider: fills the login form when asked (a browser with a provider
 * session is not asked), presses "Continue" on the consent page, or
 * "[ Cancel ]" when `deny`; resolves once the page has left the provider,
 * with the URL it landed on (the app's page after its callback).
 *
 * @example
 * ```ts
 * import type { Page } from "./browser.ts";
 * declare const page: Page;
 * declare const issuer: string;
 * await page.getByRole("link", { name: "Continue with Google" }).click();
 * const landed = await oidcLoginInPage(page, "alice", { issuer });
 * ```
 */
export async function oidcLoginInPage(
  page: Page,
  login: string,
  opts: DriveOptions & {
    /** The provider's issuer; default: wherever the page is now. */
    issuer?: string;
  } = {},
): Promise<URL> {
  const origin = new URL(opts.issuer ?? page.url()).origin;
  let loggedIn = false;
  for (let pages = 0; pages < 10; pages++) {
    await page.waitForLoadState("load");
    const here = new URL(page.url());
    if (here.origin !== origin) return here;
    const navigated = page.waitForNavigation({ waitUntil: "load" });
    if (opts.deny) {
      await page.getByRole("link", { name: "[ Cancel ]" }).click();
    } else if (await page.locator('input[name="login"]').count() > 0) {
      if (loggedIn) {
        throw new Error(
          `the provider asked for the login again: is "${login}" one of its users?`,
        );
      }
      loggedIn = true;
      await page.locator('input[name="login"]').fill(login);
      await page.locator('input[name="password"]').fill("any password");
      await page.getByRole("button", { name: "Sign-in" }).click();
    } else if (
      await page.locator('input[name="prompt"][value="consent"]').count() > 0
    ) {
      await page.getByRole("button", { name: "Continue" }).click();
    } else {
      throw new Error(
        `neither login nor consent at ${here.pathname}: ${
          pageText(await page.content())
        }`,
      );
    }
    await navigated;
  }
  throw new Error("the provider kept showing pages");
}
