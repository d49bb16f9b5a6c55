/**
 * Links to a section of a page (`/#features`) that Fresh does not mark as
 * current.
 *
 * Fresh marks every root-relative link by its path alone: `/#features` is
 * the path `/`, which Fresh counts as an ancestor of every page, so the
 * link would read "current" everywhere (and "current page" on `/`, next to
 * the home link). A link to a section of a page is neither the page the
 * visitor is on nor a parent of it. Fresh marks only hrefs that start with
 * `/`, so the same address is written relative to the page instead: a bare
 * fragment on the page itself, `./` or `../` elsewhere.
 *
 * @module
 */

/**
 * The href, for the page at `from` (a URL's pathname), of `to`: a
 * root-relative path with a fragment. It resolves to `to` and does not
 * start with `/`.
 *
 * @example
 * ```ts
 * sectionHref("/", "/#features"); // "#features"
 * sectionHref("/status", "/#features"); // "./#features"
 * sectionHref("/settings/sessions", "/#features"); // "../#features"
 * ```
 */
export function sectionHref(from: string, to: string): string {
  const at = to.indexOf("#");
  if (!to.startsWith("/") || at === -1) {
    throw new Error(`sectionHref: ${to} is not a /path#section`);
  }
  const path = to.slice(0, at);
  const fragment = to.slice(at);
  // On the page itself: a fragment link, which scrolls without a request.
  if (path === from) return fragment;
  // Each "/" after the first is a folder of `from` to climb out of; an
  // empty segment ("//") counts too, as it does when the browser resolves.
  const depth = from.split("/").length - 2;
  const up = depth <= 0 ? "./" : "../".repeat(depth);
  return up + path.slice(1) + fragment;
}
