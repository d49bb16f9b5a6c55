/**
 * Redirect targets that stay on this site, for `?next=` after sign-in.
 * Shared by the server (the no-JavaScript form's 303) and the sign-in
 * island (`location.assign`), so both navigate to the same checked value.
 *
 * @module
 */

// Any origin works as the base: only whether the result stays on it matters.
const BASE = "http://islet.invalid";

// C0 controls, space and DEL: the URL parser strips tabs and newlines and
// trims spaces and controls, so "/\t/evil" would become "//evil".
// deno-lint-ignore no-control-regex
const UNSAFE_CHARS = /[\\\x00-\x20\x7f]/;

/**
 * A redirect target that stays on this site, or `fallback`. The check is
 * made on the value that will be navigated to, after the URL parser has
 * normalised it (dot segments, percent-encoding), not on the raw input:
 * `/.//evil.example` normalises to the scheme-relative `//evil.example`
 * and is refused. The result is a path (`/…`), never `//…` or `/\…`,
 * holds no backslash, space or control character, resolves to this site
 * against any origin, and is a fixed point: `safeNext(safeNext(x)) ===
 * safeNext(x)`.
 *
 * @example
 * ```ts
 * safeNext("/dashboard?tab=2"); // "/dashboard?tab=2"
 * safeNext("//evil.example");   // "/dashboard"
 * safeNext("/.//evil.example"); // "/dashboard"
 * ```
 */
export function safeNext(
  value: string | null | undefined,
  fallback = "/dashboard",
): string {
  const target = normalised(value);
  return target !== null && normalised(target) === target ? target : fallback;
}

/** The parser-normalised path of `value` when it is a safe one, else null. */
function normalised(value: string | null | undefined): string | null {
  if (
    typeof value !== "string" || value.length > 2048 ||
    !value.startsWith("/") || value.startsWith("//") ||
    UNSAFE_CHARS.test(value)
  ) return null;
  let url: URL;
  try {
    url = new URL(value, BASE);
  } catch {
    return null;
  }
  if (url.origin !== BASE) return null;
  const out = url.pathname + url.search + url.hash;
  // The final value, checked again: normalisation can make "//" or "/\".
  if (
    !out.startsWith("/") || out.startsWith("//") || UNSAFE_CHARS.test(out) ||
    out.length > 2048
  ) return null;
  return out;
}
