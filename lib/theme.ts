/**
 * The visitor's colour scheme, kept in a `theme` cookie so the server can
 * render the right one on the first byte: no flash, and no inline script.
 *
 * @module
 */
import type { Theme } from "./web/state.ts";
import { readCookie } from "./http/cookie.ts";

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
  const value = readCookie(header, THEME_COOKIE);
  return isTheme(value) ? value : "system";
}

/** A year: the choice outlives the session, as a preference should. */
const THEME_MAX_AGE_SECONDS = 365 * 24 * 60 * 60;

/**
 * The `Set-Cookie` value (also a `document.cookie` assignment) that stores a
 * theme. Not HttpOnly: the ThemeToggle island writes the same cookie.
 *
 * @example
 * ```ts
 * themeCookie("dark", true);
 * // "theme=dark; Path=/; Max-Age=31536000; SameSite=Lax; Secure"
 * ```
 */
export function themeCookie(theme: Theme, secure: boolean): string {
  return `${THEME_COOKIE}=${theme}; Path=/; Max-Age=${THEME_MAX_AGE_SECONDS}; SameSite=Lax${
    secure ? "; Secure" : ""
  }`;
}

/** What choosing a theme by form comes to: a cookie to set, or a refusal. */
export type ThemeChoice =
  | { ok: true; theme: Theme; cookie: string }
  | { ok: false; error: string };

/**
 * The no-JavaScript theme switch: validates the submitted value and gives
 * the cookie that stores it. An unknown value is refused rather than
 * silently mapped to "system", so a broken form shows up.
 *
 * @example
 * ```ts
 * const choice = chooseTheme({ theme: "light" }, false);
 * if (choice.ok) choice.cookie; // "theme=light; Path=/; ..."
 * ```
 */
export function chooseTheme(
  input: Record<string, string>,
  secure: boolean,
): ThemeChoice {
  const theme = input.theme;
  if (!isTheme(theme)) {
    return { ok: false, error: "Choose a theme: system, light or dark." };
  }
  return { ok: true, theme, cookie: themeCookie(theme, secure) };
}
