/**
 * The browser side of a provider's pages, for tests without Chromium:
 * fetch with a cookie jar, redirects followed by hand until one leaves
 * the provider (that one is the app's callback URL, returned unfollowed),
 * and the bits of HTML reading the stand-ins' pages need.
 *
 * The jar is for one provider host: paths and domains are not kept apart,
 * which is enough for a provider's own cookies in one flow.
 *
 * @module
 */

/**
 * A cookie jar for one host: name → value.
 *
 * @example
 * ```ts
 * const jar = new CookieJar();
 * // Each answer's Set-Cookie is kept and sent with the next request.
 * await jar.fetch("http://localhost:9/", { method: "GET" }).catch(() => null);
 * ```
 */
export class CookieJar {
  readonly #cookies = new Map<string, string>();

  /**
   * `fetch` without following redirects, with the jar's cookies sent and
   * the answer's kept.
   *
   * @example
   * ```ts
   * const jar = new CookieJar();
   * const res = await jar.fetch("http://localhost:9/", { method: "GET" }).catch(() => null);
   * ```
   */
  async fetch(url: URL | string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.#cookies.size > 0) {
      headers.set(
        "cookie",
        [...this.#cookies].map(([k, v]) => `${k}=${v}`).join("; "),
      );
    }
    const res = await fetch(url, { ...init, headers, redirect: "manual" });
    for (const line of res.headers.getSetCookie()) this.#keep(line);
    return res;
  }

  #keep(line: string): void {
    const [pair, ...attrs] = line.split(";");
    const eq = pair.indexOf("=");
    if (eq < 1) return;
    const name = pair.slice(0, eq).trim();
    const value = pair.slice(eq + 1).trim();
    const gone = attrs.some((a) => {
      const [k, v = ""] = a.split("=").map((s) => s.trim());
      if (k.toLowerCase() === "max-age") return Number(v) <= 0;
      if (k.toLowerCase() === "expires") return Date.parse(v) <= Date.now();
      return false;
    });
    if (gone || value === "") this.#cookies.delete(name);
    else this.#cookies.set(name, value);
  }
}

/**
 * Follows the redirects of `res` (from `url`) through `jar` while they
 * stay on `origin`. Returns the URL of the first redirect that leaves it,
 * or the page it stopped at.
 *
 * @example
 * ```ts
 * declare const jar: CookieJar;
 * declare const res: Response;
 * const out = await followWithin(jar, new URL("http://localhost:9/auth"), res, "http://localhost:9");
 * if ("left" in out) console.log(out.left.href);
 * ```
 */
export async function followWithin(
  jar: CookieJar,
  url: URL,
  res: Response,
  origin: string,
): Promise<{ left: URL } | { page: string; url: URL; status: number }> {
  for (let hops = 0; hops < 20; hops++) {
    const location = res.headers.get("location");
    if (location === null || res.status < 300 || res.status > 399) {
      return { page: await res.text(), url, status: res.status };
    }
    await res.body?.cancel();
    const next = new URL(location, url);
    if (next.origin !== origin) return { left: next };
    url = next;
    res = await jar.fetch(url);
  }
  throw new Error(`more than 20 redirects within ${origin}`);
}

/**
 * The text of an HTML attribute or text node as written (entities undone).
 *
 * @example
 * ```ts
 * unescapeHtml("a&amp;b&#x2F;c"); // "a&b/c"
 * ```
 */
export function unescapeHtml(s: string): string {
  return s.replace(/&(#x[0-9a-f]+|#\d+|amp|lt|gt|quot|apos|#39);/gi, (_, e) => {
    const lower = String(e).toLowerCase();
    if (lower.startsWith("#x")) {
      return String.fromCodePoint(parseInt(lower.slice(2), 16));
    }
    if (lower.startsWith("#")) {
      return String.fromCodePoint(Number(lower.slice(1)));
    }
    return { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" }[lower] ?? "";
  });
}

/**
 * A short text of a page for an error message: tags dropped, spaces folded.
 *
 * @example
 * ```ts
 * pageText("<h1>Error</h1><p>bad   request</p>"); // "Error bad request"
 * ```
 */
export function pageText(html: string, max = 300): string {
  return unescapeHtml(
    html.replace(/<style[\s\S]*?<\/style>/gi, " ").replace(/<[^>]+>/g, " "),
  ).replace(/\s+/g, " ").trim().slice(0, max);
}
