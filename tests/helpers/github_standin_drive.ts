/**
 * The person at the GitHub stand-in (`github_standin.ts`): its authorize
 * page answered with fetch ({@linkcode driveGitHub}) or in Chromium
 * ({@linkcode githubLoginInPage}).
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
  /** Press "Cancel" instead of a user's button. */
  deny?: boolean;
}

/**
 * Opens the authorize page and presses "Continue as `login`" (or Cancel
 * when `deny`); returns where the stand-in sends the browser: the app's
 * callback with `code` and `state`, or `error=access_denied`. Throws,
 * with the page's words, when the stand-in refuses the request (a
 * redirect URI not registered, no PKCE, an unknown login).
 *
 * @example
 * ```ts
 * declare const authorizationUrl: URL;
 * const callback = await driveGitHub(authorizationUrl, "octocat");
 * console.log(callback.searchParams.get("code"));
 * ```
 */
export async function driveGitHub(
  authorizationUrl: URL | string,
  login: string,
  opts: DriveOptions = {},
): Promise<URL> {
  const url = new URL(authorizationUrl);
  const jar = new CookieJar();
  const at = await followWithin(jar, url, await jar.fetch(url), url.origin);
  if ("left" in at) return at.left;
  if (at.status !== 200) {
    throw new Error(
      `the GitHub stand-in answered ${at.status}: ${pageText(at.page)}`,
    );
  }
  const form = new URLSearchParams();
  for (
    const m of at.page.matchAll(
      /<input type="hidden" name="([^"]*)" value="([^"]*)">/g,
    )
  ) {
    form.set(unescapeHtml(m[1]), unescapeHtml(m[2]));
  }
  if (opts.deny) form.set("cancel", "1");
  else form.set("login", login);
  const post = new URL("/login/oauth/authorize", at.url);
  const done = await followWithin(
    jar,
    post,
    await jar.fetch(post, { method: "POST", body: form }),
    url.origin,
  );
  if ("left" in done) return done.left;
  throw new Error(
    `the GitHub stand-in answered ${done.status}: ${pageText(done.page)}`,
  );
}

/**
 * The same in a Chromium page at the stand-in's authorize page (or on
 * its way there): presses "Continue as `login`" or "Cancel" and resolves
 * once the page has left the stand-in, with the URL it landed on.
 *
 * @example
 * ```ts
 * import type { Page } from "./browser.ts";
 * declare const page: Page;
 * await page.getByRole("link", { name: "Continue with GitHub" }).click();
 * const landed = await githubLoginInPage(page, "octocat");
 * ```
 */
export async function githubLoginInPage(
  page: Page,
  login: string,
  opts: DriveOptions = {},
): Promise<URL> {
  await page.waitForLoadState("load");
  const name = opts.deny ? "Cancel" : `Continue as ${login}`;
  const button = page.getByRole("button", { name, exact: true });
  if (await button.count() === 0) {
    throw new Error(
      `no "${name}" button at ${page.url()}: ${pageText(await page.content())}`,
    );
  }
  const navigated = page.waitForNavigation({ waitUntil: "load" });
  await button.click();
  await navigated;
  return new URL(page.url());
}
