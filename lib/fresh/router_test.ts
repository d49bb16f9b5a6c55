import { deepStrictEqual, strictEqual } from "node:assert/strict";
import {
  type Match,
  matchPattern,
  parsePattern,
  Router,
  scopeCoversPath,
  scopeCoversPattern,
  simplePathname,
  splitPath,
} from "./router.ts";

function found<T>(router: Router<T>, method: string, path: string) {
  const segments = splitPath(path);
  if (segments === null) return null;
  const m = router.match(method, segments);
  return m.kind === "found" ? { value: m.value, params: m.params } : null;
}

Deno.test("router: a static route beats :param, which beats :rest*, whatever the order they were added", () => {
  const r = new Router<string>();
  r.add("GET", "/blog/:rest*", "rest");
  r.add("GET", "/blog/:slug", "param");
  r.add("GET", "/blog/new", "static");
  strictEqual(found(r, "GET", "/blog/new")?.value, "static");
  deepStrictEqual(found(r, "GET", "/blog/hello"), {
    value: "param",
    params: { slug: "hello" },
  });
  deepStrictEqual(found(r, "GET", "/blog/a/b/c"), {
    value: "rest",
    params: { rest: "a/b/c" },
  });
});

Deno.test("router: a param segment beats an optional segment at the same position", () => {
  const r = new Router<string>();
  r.add("GET", "/:lang?/about", "optional");
  r.add("GET", "/:page/about", "param");
  strictEqual(found(r, "GET", "/x/about")?.value, "param");
  strictEqual(found(r, "GET", "/about")?.value, "optional");
});

Deno.test("router: an optional segment matches with and without the segment", () => {
  const r = new Router<string>();
  r.add("GET", "/:lang?/docs", "docs");
  deepStrictEqual(found(r, "GET", "/docs"), { value: "docs", params: {} });
  deepStrictEqual(found(r, "GET", "/de/docs"), {
    value: "docs",
    params: { lang: "de" },
  });
  strictEqual(found(r, "GET", "/de/fr/docs"), null);
});

Deno.test("router: an optional-only pattern matches the root and one segment", () => {
  const p = parsePattern("/:lang?");
  deepStrictEqual(matchPattern(p, []), {});
  deepStrictEqual(matchPattern(p, ["en"]), { lang: "en" });
  strictEqual(matchPattern(p, ["en", "x"]), null);
});

Deno.test("router: a rest segment matches zero segments as an empty string", () => {
  const r = new Router<string>();
  r.add("GET", "/docs/:path*", "docs");
  deepStrictEqual(found(r, "GET", "/docs"), {
    value: "docs",
    params: { path: "" },
  });
  deepStrictEqual(found(r, "GET", "/docs/"), {
    value: "docs",
    params: { path: "" },
  });
  deepStrictEqual(found(r, "GET", "/docs/a/b"), {
    value: "docs",
    params: { path: "a/b" },
  });
});

Deno.test("router: params are percent-decoded", () => {
  const r = new Router<string>();
  r.add("GET", "/users/:name", "user");
  deepStrictEqual(found(r, "GET", "/users/J%C3%BCrgen%20X")?.params, {
    name: "Jürgen X",
  });
  deepStrictEqual(splitPath("/a/%C3%BC"), ["a", "ü"]);
});

Deno.test("router: malformed percent-encoding never throws and matches nothing", () => {
  strictEqual(splitPath("/users/%ZZ"), null);
  strictEqual(splitPath("/users/%"), null);
  strictEqual(splitPath("/users/%E0%A4%A"), null);
});

Deno.test("router: repeated and trailing slashes collapse", () => {
  deepStrictEqual(splitPath("//a///b//"), ["a", "b"]);
  deepStrictEqual(splitPath("/"), []);
  const r = new Router<string>();
  r.add("GET", "/a/b", "ab");
  r.add("GET", "/", "root");
  strictEqual(found(r, "GET", "//a//b/")?.value, "ab");
  strictEqual(found(r, "GET", "///")?.value, "root");
});

Deno.test("router: a path known for other methods reports them (405), with HEAD added for GET", () => {
  const r = new Router<string>();
  r.add("GET", "/items/:id", "get");
  r.add("DELETE", "/items/:id", "delete");
  deepStrictEqual(r.match("POST", ["items", "1"]), {
    kind: "method",
    allowed: ["DELETE", "GET", "HEAD"],
  });
  deepStrictEqual(r.match("POST", ["nothing"]), { kind: "none" });
});

Deno.test("router: HEAD falls back to GET, and an explicit HEAD route wins", () => {
  const r = new Router<string>();
  r.add("GET", "/a", "get-a");
  r.add("GET", "/b", "get-b");
  r.add("HEAD", "/b", "head-b");
  strictEqual(found(r, "HEAD", "/a")?.value, "get-a");
  strictEqual(found(r, "HEAD", "/b")?.value, "head-b");
});

Deno.test("router: ALL answers every method, but a method-specific entry wins", () => {
  const r = new Router<string>();
  r.add("ALL", "/x", "all");
  r.add("POST", "/x", "post");
  strictEqual(found(r, "PATCH", "/x")?.value, "all");
  strictEqual(found(r, "POST", "/x")?.value, "post");
});

Deno.test("router: the first registration of a method and pattern wins", () => {
  const r = new Router<string>();
  r.add("GET", "/x", "first");
  r.add("GET", "/x", "second");
  strictEqual(found(r, "GET", "/x")?.value, "first");
});

Deno.test("router: same-shape patterns with different param names keep their own names per method", () => {
  const r = new Router<string>();
  r.add("GET", "/users/:id", "get");
  r.add("POST", "/users/:userId", "post");
  deepStrictEqual(found(r, "GET", "/users/7"), {
    value: "get",
    params: { id: "7" },
  });
  deepStrictEqual(found(r, "POST", "/users/7"), {
    value: "post",
    params: { userId: "7" },
  });
  deepStrictEqual(r.match("PUT", ["users", "7"]), {
    kind: "method",
    allowed: ["GET", "HEAD", "POST"],
  });
});

Deno.test("router: a method mismatch on a better route falls through to a matching catch-all", () => {
  const r = new Router<string>();
  r.add("GET", "/api/:id", "get");
  r.add("ALL", "/:rest*", "all");
  strictEqual(found(r, "POST", "/api/1")?.value, "all");
});

Deno.test("router: an encoded slash stays inside its segment", () => {
  const r = new Router<string>();
  r.add("GET", "/a/b", "static");
  r.add("GET", "/a/:x", "param");
  r.add("GET", "/:x", "single");
  deepStrictEqual(splitPath("/a%2Fb"), ["a/b"]);
  deepStrictEqual(found(r, "GET", "/a%2Fb"), {
    value: "single",
    params: { x: "a/b" },
  });
});

Deno.test("router: scopes cover their own path and everything below it", () => {
  strictEqual(scopeCoversPattern("*", "/anything/:id"), true);
  strictEqual(scopeCoversPattern("/", "/anything"), true);
  strictEqual(scopeCoversPattern("/admin", "/admin"), true);
  strictEqual(scopeCoversPattern("/admin", "/admin/users/:id"), true);
  strictEqual(scopeCoversPattern("/admin/*", "/admin/users"), true);
  strictEqual(scopeCoversPattern("/admin", "/administrator"), false);
  strictEqual(scopeCoversPattern("/admin", "/"), false);
  strictEqual(scopeCoversPath("/blog/:id", ["blog", "42", "edit"]), true);
  strictEqual(scopeCoversPath("/blog/:id", ["blog"]), false);
  strictEqual(scopeCoversPath("/admin", ["admins"]), false);
});

Deno.test("router: matchStatic finds static routes from a canonical path, and leaves the rest to match()", () => {
  const r = new Router<string>();
  r.add("GET", "/", "root");
  r.add("GET", "/api/health", "health");
  r.add("POST", "/users/new", "create");
  r.add("GET", "/users/:id", "user");
  strictEqual(foundValue(r.matchStatic("GET", "/")), "root");
  strictEqual(foundValue(r.matchStatic("GET", "/api/health")), "health");
  strictEqual(foundValue(r.matchStatic("HEAD", "/api/health")), "health");
  strictEqual(foundValue(r.matchStatic("POST", "/users/new")), "create");
  // Paths that need decoding or folding, dynamic routes, other methods.
  strictEqual(r.matchStatic("GET", "/api/health/"), null);
  strictEqual(r.matchStatic("GET", "//api/health"), null);
  strictEqual(r.matchStatic("GET", "/api/%68ealth"), null);
  strictEqual(r.matchStatic("GET", "/users/7"), null);
  strictEqual(r.matchStatic("GET", "/users/new"), null);
  strictEqual(found(r, "GET", "/users/new")?.value, "user");
});

function foundValue<T>(m: Match<T> | null): T | undefined {
  return m?.kind === "found" ? m.value : undefined;
}

Deno.test("simplePathname agrees with the URL parser, or declines", () => {
  const simple = [
    "http://localhost/",
    "http://localhost:8000/api/health",
    "https://user:pw@example.com:443/a/b.c/d?x=/../y#z",
    "http://h/a-b_c~d!$&'()*+,;=:@e/",
    "http://h/x?",
    "http://h/x#",
  ];
  for (const href of simple) {
    strictEqual(simplePathname(href), new URL(href).pathname, href);
  }
  const declined = [
    "http://h",
    "http://h?x=/y",
    "http://h#/y",
    "http://h\\a/b",
    "http://h/a/../b",
    "http://h/a/./b",
    "http://h/..",
    "http://h/.well-known/x",
    "http://h/a%2e%2e/b",
    "http://h/a b",
    "http://h/\u00fc",
    "http://h/a\\b",
    'http://h/a"b',
    "http://h/a{b}",
    "/relative",
  ];
  for (const href of declined) strictEqual(simplePathname(href), null, href);
});
