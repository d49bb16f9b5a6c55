/**
 * The visitor's colour scheme, kept in a `theme` cookie so the server can
 * render the right one on the first byte: no flash, and no inline script.
 *
 * @module
 */
import type { Theme } from "../utils.ts";

/** Cookie holding the theme; readable by the ThemeToggle island. */
export const THEME_COOKIE = "theme";

const THEMES: readonly Theme[] = ["system", "light", "dark"];

/**
 * Whether a value is a known theme.
 *
 * @example
 * ```ts
 * isTheme("dark"); // true
 * ```
 */
export function isTheme(value: unknown): value is Theme {
  return typeof value === "string" &&
    (THEMES as readonly string[]).includes(value);
}

/**
 * Reads the theme from a Cookie header; "system" when absent or invalid.
 *
 * @example
 * ```ts
 * themeFromCookie("a=1; theme=dark"); // "dark"
 * ```
 */
export function themeFromCookie(header: string | null): Theme {
  if (header === null) return "system";
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq === -1 || part.slice(0, eq).trim() !== THEME_COOKIE) continue;
    const value = part.slice(eq + 1).trim();
    return isTheme(value) ? value : "system";
  }
  return "system";
}
