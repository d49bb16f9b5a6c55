import { deepStrictEqual, strictEqual } from "node:assert/strict";
import fc from "fast-check";
import { readCookie, readCookies } from "./cookie.ts";

Deno.test("readCookie: the first value of the name, trimmed and unquoted", () => {
  strictEqual(readCookie("a=1; theme=dark; b=2", "theme"), "dark");
  strictEqual(readCookie("theme = light ;x=y", "theme"), "light");
  strictEqual(readCookie('session="abc.def"', "session"), "abc.def");
  strictEqual(readCookie("theme=dark; theme=light", "theme"), "dark");
  strictEqual(readCookie("theme=", "theme"), "");
  strictEqual(readCookie("k=a=b", "k"), "a=b");
});

Deno.test("readCookie: no cookie of that exact name reads as null", () => {
  strictEqual(readCookie(null, "theme"), null);
  strictEqual(readCookie("", "theme"), null);
  strictEqual(readCookie("themes=dark; Theme=dark; xtheme=1", "theme"), null);
  strictEqual(readCookie("theme; ;;=dark", "theme"), null);
});

Deno.test("readCookies: every value, in order (a duplicate from another path)", () => {
  deepStrictEqual(readCookies("s=bad!; x=1; s=good", "s"), ["bad!", "good"]);
  deepStrictEqual(readCookies(null, "s"), []);
});

Deno.test("readCookies: a header built from pairs reads back as those pairs", () => {
  const name = fc.stringMatching(/^[A-Za-z0-9_-]{1,8}$/);
  const value = fc.stringMatching(
    /^[A-Za-z0-9._~!#$%&'()*+\/:<>?@\[\]^`{|}-]{0,12}$/,
  );
  fc.assert(
    fc.property(
      fc.array(fc.tuple(name, value), { maxLength: 6 }),
      name,
      (pairs, wanted) => {
        const header = pairs.map(([n, v]) => `${n}=${v}`).join("; ");
        deepStrictEqual(
          readCookies(header, wanted),
          pairs.filter(([n]) => n === wanted).map(([, v]) => v),
        );
      },
    ),
  );
});

Deno.test("readCookies: any header text is read without throwing", () => {
  fc.assert(
    fc.property(fc.string(), fc.string(), (header, name) => {
      const values = readCookies(header, name);
      strictEqual(Array.isArray(values), true);
    }),
  );
});
