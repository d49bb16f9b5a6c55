import assert from "node:assert/strict";
import { gzipSync } from "node:zlib";
import { App, setBuildCache } from "../app.ts";
import { MemoryBuildCache } from "../dev/memory_cache.ts";
import type { BuiltFile } from "../dev/static.ts";
import { etagMatches, staticFiles, staticPath } from "./static_files.ts";

const ID = "b1d";
const enc = new TextEncoder();

function file(
  pathname: string,
  text: string,
  extra: Partial<BuiltFile> = {},
): BuiltFile {
  return {
    pathname,
    contents: enc.encode(text),
    contentType: pathname.endsWith(".js")
      ? "text/javascript; charset=utf-8"
      : "text/plain; charset=utf-8",
    hash: "h-" + pathname.length,
    immutable: false,
    encoded: {},
    ...extra,
  };
}

function makeApp(
  mode: "development" | "production" = "production",
  basePath?: string,
) {
  const big = "x".repeat(2000);
  const cache = new MemoryBuildCache(mode, [], {
    buildId: ID,
    clientEntry: `/_fresh/js/${ID}/boot.js`,
    clientEntryImports: [],
    islands: new Map(),
    files: [
      file(`/_fresh/js/${ID}/boot.js`, "export{}", { immutable: true }),
      file("/robots.txt", "User-agent: *"),
      file("/a b/ü.txt", "unicode"),
      file("/big.txt", big, {
        encoded: { gzip: new Uint8Array(gzipSync(big)), br: enc.encode("BR") },
      }),
    ],
  });
  const app = new App({ basePath })
    .use(staticFiles())
    .post("/robots.txt", () => new Response("posted"))
    .get("/fallthrough", () => new Response("route"));
  setBuildCache(app, cache);
  return app.handler();
}

const get = (h: ReturnType<typeof makeApp>, path: string, init?: RequestInit) =>
  h(new Request("http://localhost" + path, init));

Deno.test("staticFiles: built files are immutable, others revalidated with a weak ETag", async () => {
  const h = makeApp();
  const js = await get(h, `/_fresh/js/${ID}/boot.js`);
  assert.equal(await js.text(), "export{}");
  assert.equal(
    js.headers.get("cache-control"),
    "public, max-age=31536000, immutable",
  );
  assert.equal(
    js.headers.get("content-type"),
    "text/javascript; charset=utf-8",
  );
  assert.equal(js.headers.get("content-length"), "8");

  const txt = await get(h, "/robots.txt");
  assert.equal(await txt.text(), "User-agent: *");
  assert.equal(
    txt.headers.get("cache-control"),
    "public, max-age=0, must-revalidate",
  );
  assert.equal(txt.headers.get("etag"), 'W/"h-11"');
  assert.equal(txt.headers.get("x-content-type-options"), "nosniff");

  const busted = await get(h, `/robots.txt?__frsh_c=${ID}`);
  await busted.body?.cancel();
  assert.equal(
    busted.headers.get("cache-control"),
    "public, max-age=31536000, immutable",
  );
  const stale = await get(h, "/robots.txt?__frsh_c=old");
  await stale.body?.cancel();
  assert.equal(
    stale.headers.get("cache-control"),
    "public, max-age=0, must-revalidate",
  );

  const dev = await get(makeApp("development"), "/robots.txt");
  await dev.body?.cancel();
  assert.equal(dev.headers.get("cache-control"), "no-cache");
});

Deno.test("staticFiles: If-None-Match answers 304 without a body", async () => {
  const h = makeApp();
  for (const tag of ['W/"h-11"', '"h-11"', '"nope", W/"h-11"', "*"]) {
    const res = await get(h, "/robots.txt", {
      headers: { "if-none-match": tag },
    });
    assert.equal(res.status, 304, tag);
    assert.equal(res.body, null);
    assert.equal(res.headers.get("etag"), 'W/"h-11"');
  }
  const miss = await get(h, "/robots.txt", {
    headers: { "if-none-match": 'W/"other"' },
  });
  assert.equal(miss.status, 200);
  await miss.body?.cancel();
});

Deno.test("staticFiles: GET and HEAD only; other methods and unknown paths fall through", async () => {
  const h = makeApp();
  const head = await get(h, "/robots.txt", { method: "HEAD" });
  assert.equal(head.status, 200);
  assert.equal(head.body, null);
  assert.equal(head.headers.get("content-length"), "13");
  const post = await get(h, "/robots.txt", { method: "POST" });
  assert.equal(await post.text(), "posted");
  const route = await get(h, "/fallthrough");
  assert.equal(await route.text(), "route");
  const decoded = await get(h, "/a%20b/%C3%BC.txt");
  assert.equal(await decoded.text(), "unicode");
});

Deno.test("staticFiles: precompressed copies by Accept-Encoding, with Vary", async () => {
  const h = makeApp();
  const br = await get(h, "/big.txt", {
    headers: { "accept-encoding": "gzip, deflate, br" },
  });
  assert.equal(br.headers.get("content-encoding"), "br");
  assert.equal(br.headers.get("content-length"), "2");
  assert.equal(br.headers.get("vary"), "Accept-Encoding");
  await br.body?.cancel();
  const gz = await get(h, "/big.txt", {
    headers: { "accept-encoding": "br;q=0, gzip" },
  });
  assert.equal(gz.headers.get("content-encoding"), "gzip");
  await gz.body?.cancel();
  const plain = await get(h, "/big.txt", {
    headers: { "accept-encoding": "identity" },
  });
  assert.equal(plain.headers.get("content-encoding"), null);
  assert.equal(plain.headers.get("vary"), "Accept-Encoding");
  assert.equal((await plain.text()).length, 2000);
});

Deno.test("staticFiles: traversal and malformed paths never escape and never 500", async () => {
  const h = makeApp();
  const evil = [
    "/../deno.json",
    "/%2e%2e/deno.json",
    "/%2e%2e%2fdeno.json",
    "/..%2f..%2fdeno.json",
    "/a%5c..%5c..%5cdeno.json",
    "/%ZZ",
    "/%",
    "/robots.txt%00",
    "/%c0%ae%c0%ae/deno.json",
    "//robots.txt/..",
    "/_fresh/js/../../deno.json",
  ];
  for (const p of evil) {
    const res = await get(h, p);
    const body = await res.text();
    assert.ok(res.status === 404 || res.status === 200, `${p}: ${res.status}`);
    if (res.status === 200) assert.equal(body, "User-agent: *", p);
    assert.ok(!body.includes("imports"), p);
  }
});

Deno.test("staticFiles: honours the app's basePath; no build means no files", async () => {
  const h = makeApp("production", "/base");
  const res = await get(h, "/base/robots.txt");
  assert.equal(await res.text(), "User-agent: *");
  assert.equal((await get(h, "/robots.txt")).status, 404);

  const bare = new App().use(staticFiles()).get("/x", () => new Response("x"))
    .handler();
  const none = await bare(new Request("http://localhost/robots.txt"));
  await none.body?.cancel();
  assert.equal(none.status, 404);
});

Deno.test("staticPath and etagMatches", () => {
  assert.equal(staticPath("/img/a%20b.png", ""), "/img/a b.png");
  assert.equal(staticPath("//a//b", ""), "/a/b");
  assert.equal(staticPath("/%ZZ", ""), null);
  assert.equal(staticPath("/a/%2e%2e/b", ""), null);
  assert.equal(staticPath("/base/x.css", "/base"), "/x.css");
  assert.equal(staticPath("/basement/x.css", "/base"), null);
  // Paths already canonical are taken as they are; anything else is decoded
  // and checked.
  assert.equal(staticPath("/a/b.css", ""), "/a/b.css");
  assert.equal(staticPath("/.well-known/x", ""), "/.well-known/x");
  assert.equal(staticPath("/..x/y", ""), "/..x/y");
  assert.equal(staticPath("/a/../b", ""), null);
  assert.equal(staticPath("/a/./b", ""), null);
  assert.equal(staticPath("/a/..", ""), null);
  assert.equal(staticPath("/a\\b", ""), null);
  assert.equal(staticPath("/a\0b", ""), null);
  assert.ok(etagMatches('W/"a", "b"', "b"));
  assert.ok(!etagMatches('"ab"', "a"));
  assert.ok(!etagMatches(null, "a"));
});
