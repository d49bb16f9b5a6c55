import { deepStrictEqual, strictEqual } from "node:assert/strict";
import { chooseTheme, isTheme, themeCookie, themeFromCookie } from "./theme.ts";

Deno.test("themeFromCookie reads a valid theme and falls back to system", () => {
  strictEqual(themeFromCookie("a=1; theme=dark; b=2"), "dark");
  strictEqual(themeFromCookie("theme=light"), "light");
  strictEqual(themeFromCookie("theme=<script>"), "system");
  strictEqual(themeFromCookie("themes=dark"), "system");
  strictEqual(themeFromCookie(null), "system");
  strictEqual(isTheme("purple"), false);
});

Deno.test("themeCookie stores a theme for a year, Secure over HTTPS", () => {
  strictEqual(
    themeCookie("dark", false),
    "theme=dark; Path=/; Max-Age=31536000; SameSite=Lax",
  );
  strictEqual(
    themeCookie("light", true),
    "theme=light; Path=/; Max-Age=31536000; SameSite=Lax; Secure",
  );
  // What it sets is what the server reads back.
  strictEqual(themeFromCookie(themeCookie("dark", true).split(";")[0]), "dark");
});

Deno.test("chooseTheme accepts the three themes and refuses anything else", () => {
  for (const theme of ["system", "light", "dark"] as const) {
    deepStrictEqual(chooseTheme({ theme }, false), {
      ok: true,
      theme,
      cookie: themeCookie(theme, false),
    });
  }
  const refused: Record<string, string>[] = [{}, { theme: "" }, {
    theme: "Dark",
  }, { theme: "x; a=b" }];
  for (const input of refused) {
    strictEqual(chooseTheme(input, false).ok, false, JSON.stringify(input));
  }
});
