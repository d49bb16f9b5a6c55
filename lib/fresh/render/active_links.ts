/**
 * Links to the current page, marked the way upstream Fresh 2 marks them
 * while it renders on the server. An `<a>` whose `href` is root-relative
 * (starts with `/`) gets
 *
 * - `aria-current="page"` and `data-current="true"` when its path is the
 *   page's path;
 * - `aria-current="true"` and `data-ancestor="true"` when its path is an
 *   ancestor of the page's path: `/settings` on `/settings/sessions`, and
 *   `/` on every page.
 *
 * Upstream's rules, kept here: only paths are compared (the query and the
 * hash of both the link and the page are ignored, so `/#features` is the
 * path `/`); one trailing slash does not count (`/settings/` is
 * `/settings`); `/set` is no ancestor of `/settings` (whole segments only);
 * a match replaces an `aria-current` the element was given, no match
 * leaves it alone; relative (`status`, `./x`, `#top`) and absolute
 * (`https://…`) hrefs are never marked. Links inside islands are marked in
 * the server render like any other (hydration keeps the attributes), but
 * nothing runs in the browser: a link an island renders there is not
 * marked, as upstream, which re-marks links only after a client-side
 * navigation (Partials, not implemented in lib/fresh).
 *
 * One deliberate difference: upstream parses `//host/status` and
 * `/\host/status` as the path `/status`, so a link to another site could
 * be marked as this page; here a href that leaves the site is never
 * marked.
 *
 * @module
 */

/** How a link's path relates to the page's path. */
export type UrlMatch = "none" | "ancestor" | "current";

// Only the path of a href is used; the origin tells a path from a link
// that leaves the site ("//host/…"), which parses to this origin only if
// it names this made-up host.
const BASE = "http://fresh-active-link.invalid";
const BASE_ORIGIN = new URL(BASE).origin;

// Pages render the same few hrefs over and over (the navigation), so
// their parsed paths are kept; bounded in case an app makes many.
const paths = new Map<string, string | null>();
const PATH_CACHE_LIMIT = 1000;

function withoutTrailingSlash(path: string): string {
  return path !== "/" && path.endsWith("/") ? path.slice(0, -1) : path;
}

/** The path a root-relative href points at, or null when it is not one. */
function hrefPath(href: string): string | null {
  let path = paths.get(href);
  if (path !== undefined) return path;
  path = null;
  if (href.startsWith("/")) {
    try {
      const url = new URL(href, BASE);
      if (url.origin === BASE_ORIGIN) path = withoutTrailingSlash(url.pathname);
    } catch {
      // "//bad host/": not a link into this site, so not marked.
    }
  }
  if (paths.size >= PATH_CACHE_LIMIT) paths.clear();
  paths.set(href, path);
  return path;
}

/**
 * How the link `href` relates to the page at `pathname` (a URL's
 * `pathname`, percent-encoded as the URL parser leaves it).
 *
 * @example
 * ```ts
 * matchUrl("/settings/sessions", "/settings/sessions?x=1"); // "current"
 * matchUrl("/settings/sessions", "/settings/"); // "ancestor"
 * matchUrl("/status", "/#features"); // "ancestor": its path is "/"
 * matchUrl("/status", "#features"); // "none": not root-relative
 * ```
 */
export function matchUrl(pathname: string, href: string): UrlMatch {
  const path = hrefPath(href);
  if (path === null) return "none";
  const page = withoutTrailingSlash(pathname);
  if (page === path) return "current";
  if (path === "/" || page.startsWith(path + "/")) return "ancestor";
  return "none";
}

/**
 * The props an `<a>` with `props` renders with on the page at `pathname`:
 * a copy with the marks added when its href matches, `props` itself when
 * it does not. `props` is never changed.
 *
 * @example
 * ```ts
 * markActiveLink({ href: "/status" }, "/status");
 * // { href: "/status", "aria-current": "page", "data-current": "true" }
 * markActiveLink({ href: "/", "aria-current": "page" }, "/status");
 * // { href: "/", "aria-current": "true", "data-ancestor": "true" }
 * ```
 */
export function markActiveLink(
  props: Record<string, unknown>,
  pathname: string,
): Record<string, unknown> {
  const href = props.href;
  if (typeof href !== "string") return props;
  const match = matchUrl(pathname, href);
  if (match === "current") {
    return { ...props, "aria-current": "page", "data-current": "true" };
  }
  if (match === "ancestor") {
    return { ...props, "aria-current": "true", "data-ancestor": "true" };
  }
  return props;
}
