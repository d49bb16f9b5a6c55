import { ok, strictEqual } from "node:assert/strict";
import fc from "fast-check";
import { safeNext } from "./safe_next.ts";

const ORIGIN = "https://app.example";

/** Pieces that parsers treat specially, so generated strings hit them often. */
const NASTY_PIECES = [
  "/",
  "//",
  "\\",
  ".",
  "..",
  "/./",
  "/../",
  "%2e",
  "%2E%2e",
  "%2f",
  "%2F",
  "%5c",
  "%5C",
  "%09",
  "%00",
  "\t",
  "\n",
  "\r",
  "\x00",
  "\x0b",
  "\x7f",
  " ",
  "\u3000",
  "\ufeff",
  "@",
  ":",
  "?",
  "#",
  "evil.example",
  "https:",
  "javascript:",
  "/\t/",
  "/\\",
  "\\/",
  "%252f",
];

const nasty = fc.array(
  fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...NASTY_PIECES) },
    { weight: 1, arbitrary: fc.string({ maxLength: 4 }) },
    { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 3 }) },
  ),
  { maxLength: 12 },
).map((parts) => parts.join(""));

/** What a browser makes of the target when it navigates to it. */
function resolved(target: string): URL {
  return new URL(target, ORIGIN + "/login?next=x");
}

function assertStaysOnSite(input: string): void {
  const target = safeNext(input);
  const url = resolved(target);
  strictEqual(url.origin, ORIGIN, `${JSON.stringify(input)} -> ${target}`);
  ok(target.startsWith("/") && !target.startsWith("//"), target);
  // deno-lint-ignore no-control-regex
  ok(!/[\\\x00-\x20\x7f]/.test(target), JSON.stringify(target));
  // The target is what the browser loads: re-reading it changes nothing.
  strictEqual(url.pathname + url.search + url.hash, target);
  strictEqual(safeNext(target), target, "fixed point");
}

Deno.test("safeNext: every target resolves to this site and is a fixed point", () => {
  fc.assert(fc.property(nasty, (s) => assertStaysOnSite(s)), {
    numRuns: 20_000,
  });
  fc.assert(
    fc.property(nasty, (s) => assertStaysOnSite("/" + s)),
    { numRuns: 20_000 },
  );
  fc.assert(
    fc.property(fc.string({ unit: "grapheme", maxLength: 40 }), (s) => {
      assertStaysOnSite(s);
      assertStaysOnSite("/" + s);
    }),
    { numRuns: 5_000 },
  );
});

Deno.test("safeNext: the known tricks fall back, ordinary paths pass", () => {
  const tricks = [
    "//evil.example",
    "/.//evil.example",
    "/./\\evil.example",
    "/..//evil.example",
    "/a/..//evil.example",
    "/%2e//evil.example",
    "/%2E%2E//evil.example",
    "/\\evil.example",
    "/\t/evil.example",
    "/\n/evil.example",
    "/ /evil.example",
    "https://evil.example",
    "javascript:alert(1)",
    "",
    "dashboard",
  ];
  for (const t of tricks) strictEqual(safeNext(t), "/dashboard", t);
  strictEqual(safeNext(null), "/dashboard");
  strictEqual(safeNext("//evil", "/"), "/");
  strictEqual(safeNext("/dashboard?tab=2"), "/dashboard?tab=2");
  strictEqual(safeNext("/settings#sessions"), "/settings#sessions");
  strictEqual(safeNext("/a/./b/../c"), "/a/c");
  // Encoded slashes stay encoded: a path segment, not a host.
  strictEqual(safeNext("/%2f%2fevil.example"), "/%2f%2fevil.example");
  strictEqual(safeNext("/" + "a".repeat(3000)), "/dashboard");
});
