/**
 * Reading a request's `Cookie` header: the one parser behind the session,
 * theme and flash cookies. A header is attacker-written text, so nothing
 * here throws: a pair without `=` is skipped and a missing header reads as
 * no cookie.
 *
 * @module
 */

/**
 * Every value the header carries under `name`, in order. Names match
 * exactly (case-sensitive, as browsers send them back); whitespace around
 * names and values is dropped and one pair of double quotes around a value
 * is removed (RFC 6265 allows a quoted cookie-value). A browser may send
 * the same name twice (one cookie per path or domain), so a reader that
 * validates its values can take the first good one rather than the first.
 *
 * @example
 * ```ts
 * readCookies("a=1; theme=dark; theme=light", "theme"); // ["dark", "light"]
 * ```
 */
export function readCookies(header: string | null, name: string): string[] {
  const values: string[] = [];
  if (header === null) return values;
  for (const pair of header.split(";")) {
    const eq = pair.indexOf("=");
    if (eq === -1 || pair.slice(0, eq).trim() !== name) continue;
    values.push(unquote(pair.slice(eq + 1).trim()));
  }
  return values;
}

/**
 * The first value the header carries under `name`, or null; the rules of
 * {@linkcode readCookies}.
 *
 * @example
 * ```ts
 * const req = new Request("https://example.com/", {
 *   headers: { cookie: "a=1; theme=dark" },
 * });
 * readCookie(req.headers.get("cookie"), "theme"); // "dark"
 * readCookie(req.headers.get("cookie"), "flash"); // null
 * ```
 */
export function readCookie(header: string | null, name: string): string | null {
  return readCookies(header, name)[0] ?? null;
}

function unquote(value: string): string {
  return value.length >= 2 && value.startsWith('"') && value.endsWith('"')
    ? value.slice(1, -1)
    : value;
}
