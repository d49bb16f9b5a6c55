import { strictEqual } from "node:assert/strict";
import { App } from "../app.ts";
import { trailingSlashes } from "./trailing_slashes.ts";

function app(mode: "always" | "never") {
  const handler = new App()
    .use(trailingSlashes(mode))
    .all("/:path*", (ctx) => ctx.text(ctx.url.pathname))
    .handler();
  return (path: string, method = "GET") =>
    handler(new Request(`http://localhost${path}`, { method }));
}

Deno.test("trailingSlashes('never'): redirects /about/ to /about with 308, keeping the query", async () => {
  const get = app("never");
  let res = await get("/about/?a=1");
  strictEqual(res.status, 308);
  strictEqual(res.headers.get("location"), "/about?a=1");
  res = await get("/a/b///");
  strictEqual(res.status, 308);
  strictEqual(res.headers.get("location"), "/a/b");
  res = await get("/about");
  strictEqual(res.status, 200);
  await res.body?.cancel();
  res = await get("/");
  strictEqual(res.status, 200);
  await res.body?.cancel();
});

Deno.test("trailingSlashes('always'): redirects /about to /about/ with 308 but leaves files alone", async () => {
  const get = app("always");
  let res = await get("/about?x=y");
  strictEqual(res.status, 308);
  strictEqual(res.headers.get("location"), "/about/?x=y");
  res = await get("/about/");
  strictEqual(res.status, 200);
  await res.body?.cancel();
  res = await get("/styles.css");
  strictEqual(res.status, 200);
  await res.body?.cancel();
  res = await get("/");
  strictEqual(res.status, 200);
  await res.body?.cancel();
});

Deno.test("trailingSlashes: a 308 keeps the method", async () => {
  const res = await app("never")("/form/", "POST");
  strictEqual(res.status, 308);
  strictEqual(res.headers.get("location"), "/form");
});

Deno.test("trailingSlashes: a //host path never becomes an off-site redirect", async () => {
  for (const mode of ["never", "always"] as const) {
    const get = app(mode);
    for (
      const path of [
        "//evil.com/",
        "//evil.com",
        "/\\evil.com",
        "///evil.com//",
      ]
    ) {
      const res = await get(path);
      if (res.status !== 308) {
        await res.body?.cancel();
        continue;
      }
      const location = res.headers.get("location")!;
      strictEqual(
        new URL(location, "http://localhost/").host,
        "localhost",
        `${mode} ${path} -> ${location}`,
      );
    }
  }
});
