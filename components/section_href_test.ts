import { strictEqual, throws } from "node:assert/strict";
import fc from "fast-check";
import { sectionHref } from "./section_href.ts";

const ORIGIN = "http://localhost";

/** Where a browser on `page` goes when the link `href` is followed. */
function resolve(href: string, page: string): string {
  const url = new URL(href, ORIGIN + page);
  return url.pathname + url.hash;
}

Deno.test("sectionHref: a fragment on the page itself, a relative path elsewhere", () => {
  strictEqual(sectionHref("/", "/#features"), "#features");
  strictEqual(sectionHref("/status", "/#features"), "./#features");
  strictEqual(sectionHref("/settings", "/#developers"), "./#developers");
  strictEqual(sectionHref("/settings/", "/#features"), "../#features");
  strictEqual(sectionHref("/settings/sessions", "/#features"), "../#features");
  strictEqual(sectionHref("/a/b/c", "/docs/x#y"), "../../docs/x#y");
  strictEqual(sectionHref("/docs/x", "/docs/x#y"), "#y");
});

Deno.test("sectionHref: from any page it leads to the section and never starts with /", () => {
  const segment = fc.stringMatching(/^[a-z0-9._~%-]{0,6}$/);
  const page = fc.array(segment, { maxLength: 6 }).map((s) =>
    "/" + s.join("/")
  );
  const target = fc.tuple(
    fc.array(fc.stringMatching(/^[a-z0-9]{1,5}$/), { maxLength: 3 }),
    fc.stringMatching(/^[a-z][a-z0-9-]{0,8}$/),
  ).map(([path, id]) => `/${path.join("/")}#${id}`);
  fc.assert(
    fc.property(page, target, (from, to) => {
      // The page as the browser has it: the URL parser's form of the path.
      const at = new URL(ORIGIN + from).pathname;
      const href = sectionHref(at, to);
      return !href.startsWith("/") && resolve(href, at) === to;
    }),
    { numRuns: 2000 },
  );
});

Deno.test("sectionHref: refuses a target that is not a root-relative path with a fragment", () => {
  throws(() => sectionHref("/", "#features"));
  throws(() => sectionHref("/", "/features"));
  throws(() => sectionHref("/", "https://example.com/#x"));
});
