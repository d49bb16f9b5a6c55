import { strictEqual, throws } from "node:assert/strict";
import fc from "fast-check";
import { type PathContext, pathIs } from "./path.ts";

/** A context over a raw URL (as Deno.serve hands it over) that counts parses. */
function context(href: string): PathContext & { parses: number } {
  return {
    req: { url: href } as Request,
    parses: 0,
    get url() {
      this.parses++;
      return new URL(href);
    },
  };
}

const HOOK = "/api/stripe/webhook";

Deno.test("pathIs: the exact path, whatever the query", () => {
  strictEqual(pathIs(context(`http://x${HOOK}`), HOOK), true);
  strictEqual(pathIs(context(`http://x${HOOK}?a=1#f`), HOOK), true);
  strictEqual(
    pathIs(context(`http://x/api/stripe/./x/../webhook`), HOOK),
    true,
  );
  strictEqual(pathIs(context(`http://x/api\\stripe\\webhook`), HOOK), true);
  strictEqual(pathIs(context(`http://x${HOOK}/`), HOOK), false);
  strictEqual(pathIs(context(`http://x/api/stripe/Webhook`), HOOK), false);
  strictEqual(pathIs(context(`http://x/?next=${HOOK}`), HOOK), false);
});

Deno.test("pathIs: other paths are told apart without parsing the URL", () => {
  for (
    const href of ["http://x/", "http://x/login", "http://x/styles.css?v=1"]
  ) {
    const ctx = context(href);
    strictEqual(pathIs(ctx, HOOK), false);
    strictEqual(ctx.parses, 0, href);
  }
});

Deno.test("pathIs: refuses a path it cannot answer for cheaply", () => {
  throws(() => pathIs(context("http://x/"), "/a.b"), TypeError);
  throws(() => pathIs(context("http://x/"), "/a%20b"), TypeError);
  throws(() => pathIs(context("http://x/"), "api"), TypeError);
});

Deno.test("pathIs: the same answer as the URL parser for any raw path", () => {
  const piece = fc.constantFrom(
    "/",
    "\\",
    ".",
    "..",
    "%2e",
    "%2E",
    "%",
    "?",
    "#",
    " ",
    "api",
    "stripe",
    "webhook",
    "web",
    "hook",
    "Webhook",
    "%77ebhook",
    "é",
    "x",
  );
  fc.assert(
    fc.property(fc.array(piece, { maxLength: 12 }), (pieces) => {
      const href = `http://example.com/${pieces.join("")}`;
      const expected = new URL(href).pathname === HOOK;
      strictEqual(pathIs(context(href), HOOK), expected, href);
    }),
    { numRuns: 5_000 },
  );
});
