import { strictEqual } from "node:assert/strict";
import { isTheme, themeFromCookie } from "./theme.ts";

Deno.test("themeFromCookie reads a valid theme and falls back to system", () => {
  strictEqual(themeFromCookie("a=1; theme=dark; b=2"), "dark");
  strictEqual(themeFromCookie("theme=light"), "light");
  strictEqual(themeFromCookie("theme=<script>"), "system");
  strictEqual(themeFromCookie("themes=dark"), "system");
  strictEqual(themeFromCookie(null), "system");
  strictEqual(isTheme("purple"), false);
});
