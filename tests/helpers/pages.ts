/**
 * Page requests as a browser makes them, for the HTTP tests of pages and
 * their one-time notices (flash cookies).
 *
 * @module
 */
import type { Answer, Client } from "./auth.ts";

// The apps the page tests run against, per engine or on SQLite.
export { appTest, withApp } from "./auth.ts";

/** Ask for HTML, as a browser does. */
export const HTML = { accept: "text/html" };

/**
 * The flash cookie this answer set: its value ("" when cleared) and attributes.
 *
 * @example
 * ```ts
 * import type { Answer } from "./auth.ts";
 * declare const answer: Answer;
 * flashSet(answer)?.value; // "others_ended.2"
 * ```
 */
export function flashSet(a: Answer): { value: string; attrs: string } | null {
  const raw = a.headers.getSetCookie().find((c) => c.startsWith("flash="));
  if (raw === undefined) return null;
  const [pair, ...attrs] = raw.split(";").map((s) => s.trim());
  return { value: pair.slice("flash=".length), attrs: attrs.join("; ") };
}

/**
 * A page request with the flash cookie (if any) alongside the session.
 *
 * @example
 * ```ts
 * import type { Client } from "./auth.ts";
 * declare const me: Client;
 * const page = await getPage(me, "/login", "signed_out");
 * ```
 */
export function getPage(
  c: Client,
  path: string,
  flash?: string,
): Promise<Answer> {
  const cookies = [c.cookie, flash === undefined ? null : `flash=${flash}`]
    .filter(Boolean).join("; ");
  return c.get(path, { headers: HTML, cookie: cookies || null });
}

/**
 * How often `needle` shows in the page: scripts (island props) left out.
 *
 * @example
 * ```ts
 * countShown("<p>hi</p><script>hi</script>", "hi"); // 1
 * ```
 */
export function countShown(text: string, needle: string): number {
  return text.replace(/<script[\s\S]*?<\/script>/g, "").split(needle).length -
    1;
}
