import { deepStrictEqual, match, ok, strictEqual } from "node:assert/strict";
import { App, setBuildCache } from "./app.ts";
import type { BuildCache, FsRouteFile } from "./build_cache.ts";
import type { Context } from "./context.ts";
import { page } from "./context.ts";
import { HttpError } from "./error.ts";
import { filePathToPattern, isRouteFile } from "./fs_routes.ts";
import type { PageProps } from "./types.ts";

function cache(files: Record<string, Record<string, unknown>>): BuildCache {
  const fsRoutes: FsRouteFile[] = Object.entries(files).map(([path, mod]) => ({
    path,
    mod,
  }));
  return {
    buildId: "test",
    mode: "production",
    clientEntry: "/_fresh/js/test/boot.js",
    clientEntryImports: [],
    islands: new Map(),
    fsRoutes,
    hasStaticFile: () => false,
    readStaticFile: () => Promise.resolve(null),
  };
}

function serve(
  files: Record<string, Record<string, unknown>>,
  build: (app: App) => App = (app) => app.fsRoutes(),
): (path: string, init?: RequestInit) => Promise<Response> {
  const app = new App();
  setBuildCache(app, cache(files));
  const handler = build(app).handler();
  return (path, init) => handler(new Request(`http://localhost${path}`, init));
}

async function quietErrors<T>(fn: () => Promise<T>): Promise<T> {
  const original = console.error;
  console.error = () => {};
  try {
    return await fn();
  } finally {
    console.error = original;
  }
}

const text = (s: string) => ({ default: () => <p>{s}</p> });

function Layout(name: string) {
  return {
    default: ({ Component }: PageProps) => (
      <div class={name}>
        <Component />
      </div>
    ),
  };
}

Deno.test("fs routes: file names become URL patterns", () => {
  const cases: [string, string][] = [
    ["index.tsx", "/"],
    ["about.tsx", "/about"],
    ["api/health.ts", "/api/health"],
    ["blog/index.tsx", "/blog"],
    ["blog/[slug].tsx", "/blog/:slug"],
    ["[[lang]]/index.tsx", "/:lang?"],
    ["[[lang]]/docs.tsx", "/:lang?/docs"],
    ["docs/[...path].tsx", "/docs/:path*"],
    ["(marketing)/pricing.tsx", "/pricing"],
    ["(marketing)/index.tsx", "/"],
    ["shop/(group)/[id].tsx", "/shop/:id"],
    ["test.tsx", "/test"],
  ];
  for (const [file, pattern] of cases) {
    strictEqual(filePathToPattern(file), pattern, file);
  }
});

Deno.test("fs routes: tests, (_folders) and non-code files are not routes", () => {
  strictEqual(isRouteFile("blog/[slug].tsx"), true);
  strictEqual(isRouteFile("test.tsx"), true);
  strictEqual(isRouteFile("latest.ts"), true);
  strictEqual(isRouteFile("contest_entries.ts"), true);
  strictEqual(isRouteFile("index_test.ts"), false);
  strictEqual(isRouteFile("blog/slug.test.tsx"), false);
  strictEqual(isRouteFile("(_islands)/Like.tsx"), false);
  strictEqual(isRouteFile("blog/(_components)/Card.tsx"), false);
  strictEqual(isRouteFile("README.md"), false);
});

Deno.test("fs routes: routes answer at their patterns with params", async () => {
  const get = serve({
    "index.tsx": text("home"),
    "about.tsx": text("about"),
    "blog/[slug].tsx": {
      default: ({ params }: PageProps) => <p>post {params.slug}</p>,
    },
    "[[lang]]/docs.tsx": {
      default: ({ params }: PageProps) => <p>docs {params.lang ?? "-"}</p>,
    },
    "files/[...path].ts": {
      handler: (ctx: Context) => ctx.text(`path=${ctx.params.path}`),
    },
    "(marketing)/pricing.tsx": text("pricing"),
    "(_islands)/Counter.tsx": text("never a route"),
    "about_test.ts": { handler: () => new Response("test file") },
    "api/health.ts": {
      handler: { GET: (ctx: Context) => ctx.json({ ok: 1 }) },
    },
  });
  match(await (await get("/")).text(), /<p>home<\/p>/);
  match(await (await get("/about")).text(), /<p>about<\/p>/);
  match(await (await get("/blog/hi")).text(), /<p>post hi<\/p>/);
  match(await (await get("/docs")).text(), /<p>docs -<\/p>/);
  match(await (await get("/de/docs")).text(), /<p>docs de<\/p>/);
  strictEqual(await (await get("/files/a/b.txt")).text(), "path=a/b.txt");
  strictEqual(await (await get("/files")).text(), "path=");
  match(await (await get("/pricing")).text(), /<p>pricing<\/p>/);
  deepStrictEqual(await (await get("/api/health")).json(), { ok: 1 });
  strictEqual((await get("/Counter")).status, 404);
  strictEqual((await get("/(_islands)/Counter")).status, 404);
  strictEqual((await get("/about_test")).status, 404);
});

Deno.test("fs routes: static beats [param] beats [...rest] across files", async () => {
  const get = serve({
    "blog/[...rest].tsx": text("rest"),
    "blog/[slug].tsx": text("slug"),
    "blog/new.tsx": text("new"),
  });
  match(await (await get("/blog/new")).text(), /<p>new<\/p>/);
  match(await (await get("/blog/x")).text(), /<p>slug<\/p>/);
  match(await (await get("/blog/x/y")).text(), /<p>rest<\/p>/);
});

Deno.test("fs routes: _layout files nest root to leaf inside _app", async () => {
  const get = serve({
    "_app.tsx": {
      default: ({ Component }: PageProps) => (
        <html>
          <head />
          <body>
            <Component />
          </body>
        </html>
      ),
    },
    "_layout.tsx": Layout("root"),
    "a/_layout.tsx": Layout("a"),
    "a/b/_layout.tsx": Layout("b"),
    "a/b/page.tsx": text("deep"),
    "a/page.tsx": text("mid"),
  });
  match(
    await (await get("/a/b/page")).text(),
    /<body><div class="root"><div class="a"><div class="b"><p>deep<\/p><\/div><\/div><\/div><\/body>/,
  );
  match(
    await (await get("/a/page")).text(),
    /<body><div class="root"><div class="a"><p>mid<\/p><\/div><\/div><\/body>/,
  );
});

Deno.test("fs routes: a (group)'s _layout, _middleware and _error apply to its own routes only", async () => {
  const get = serve({
    "(app)/_layout.tsx": Layout("app"),
    "(app)/_middleware.ts": {
      handler: async (ctx: Context) => {
        const res = await ctx.next();
        res.headers.set("x-group", "app");
        return res;
      },
    },
    "(app)/_error.tsx": {
      default: () => <p>app error</p>,
    },
    "(app)/dashboard.tsx": {
      handler: (ctx: Context) => {
        if (ctx.url.searchParams.has("fail")) throw new Error("x");
        return page();
      },
      default: () => <p>dash</p>,
    },
    "(site)/about.tsx": {
      handler: (ctx: Context) => {
        if (ctx.url.searchParams.has("fail")) throw new Error("x");
        return page();
      },
      default: () => <p>about</p>,
    },
  });
  let res = await get("/dashboard");
  strictEqual(res.headers.get("x-group"), "app");
  match(await res.text(), /<div class="app"><p>dash<\/p><\/div>/);
  res = await get("/about");
  strictEqual(res.headers.get("x-group"), null);
  const html = await res.text();
  ok(!html.includes('class="app"'));
  match(html, /<p>about<\/p>/);

  await quietErrors(async () => {
    res = await get("/dashboard?fail");
    strictEqual(res.status, 500);
    match(await res.text(), /<p>app error<\/p>/);
    res = await get("/about?fail");
    strictEqual(res.status, 500);
    strictEqual(await res.text(), "Internal server error");
  });
});

Deno.test("fs routes: _middleware runs root to leaf; default export or handler, function or array", async () => {
  const seen: string[] = [];
  const mw = (name: string) => (ctx: Context) => {
    seen.push(name);
    return ctx.next();
  };
  const get = serve({
    "_middleware.ts": { default: mw("root") },
    "a/_middleware.ts": { handler: [mw("a1"), mw("a2")] },
    "a/b/_middleware.ts": { default: [mw("b")] },
    "a/b/c.ts": { handler: () => new Response("c") },
    "other.ts": { handler: () => new Response("o") },
  });
  strictEqual(await (await get("/a/b/c")).text(), "c");
  deepStrictEqual(seen, ["root", "a1", "a2", "b"]);
  seen.length = 0;
  await (await get("/other")).body?.cancel();
  deepStrictEqual(seen, ["root"]);
  seen.length = 0;
  // The root middleware also runs for requests that match no route.
  await (await get("/missing")).body?.cancel();
  deepStrictEqual(seen, ["root"]);
});

Deno.test("fs routes: a _middleware without a function export is refused", () => {
  let message = "";
  try {
    serve({ "_middleware.ts": { default: "nope" } });
  } catch (err) {
    message = (err as Error).message;
  }
  match(message, /_middleware\.ts must export a middleware/);
});

Deno.test("fs routes: _404 renders unmatched paths and thrown 404s with status 404", async () => {
  const get = serve({
    "_app.tsx": {
      default: ({ Component }: PageProps) => (
        <html>
          <head />
          <body>
            <Component />
          </body>
        </html>
      ),
    },
    "_404.tsx": {
      default: ({ url, error }: PageProps) => (
        <p>
          missing {url.pathname} {(error as HttpError).status}
        </p>
      ),
    },
    "post/[id].tsx": {
      handler: () => {
        throw new HttpError(404);
      },
      default: () => <p>post</p>,
    },
  });
  let res = await get("/nope");
  strictEqual(res.status, 404);
  match(await res.text(), /<body><p>missing \/nope 404<\/p><\/body>/);
  res = await get("/post/1");
  strictEqual(res.status, 404);
  match(await res.text(), /<p>missing \/post\/1 404<\/p>/);
});

Deno.test("fs routes: _500 renders thrown errors with status 500, HttpErrors with their own status", async () => {
  const get = serve({
    "_500.tsx": {
      default: ({ error }: PageProps) => (
        <p>
          error {error instanceof HttpError ? error.status : "plain"}
        </p>
      ),
    },
    "boom.ts": {
      handler: () => {
        throw new Error("boom");
      },
    },
    "teapot.ts": {
      handler: () => {
        throw new HttpError(418);
      },
    },
  });
  await quietErrors(async () => {
    let res = await get("/boom");
    strictEqual(res.status, 500);
    match(await res.text(), /<p>error plain<\/p>/);
    res = await get("/teapot");
    strictEqual(res.status, 418);
    match(await res.text(), /<p>error 418<\/p>/);
  });
});

Deno.test("fs routes: the nearest _error wins over the root one", async () => {
  const fail = {
    handler: () => {
      throw new Error("x");
    },
  };
  const get = serve({
    "_error.tsx": text("root error"),
    "admin/_error.tsx": text("admin error"),
    "admin/x.ts": fail,
    "x.ts": fail,
  });
  await quietErrors(async () => {
    match(await (await get("/admin/x")).text(), /<p>admin error<\/p>/);
    match(await (await get("/x")).text(), /<p>root error<\/p>/);
  });
});

Deno.test("fs routes: config.routeOverride replaces the file's pattern", async () => {
  const get = serve({
    "product.tsx": {
      config: { routeOverride: "/p/:id" },
      default: ({ params }: PageProps) => <p>product {params.id}</p>,
    },
  });
  match(await (await get("/p/9")).text(), /<p>product 9<\/p>/);
  strictEqual((await get("/product")).status, 404);
});

Deno.test("fs routes: fsRoutes(prefix) mounts the routes below a path", async () => {
  const get = serve(
    {
      "index.tsx": {
        handler: (ctx: Context) => ctx.json({ route: ctx.route }),
      },
      "guide/[slug].ts": {
        handler: (ctx: Context) => ctx.json({ route: ctx.route }),
      },
      "_layout.tsx": Layout("docs"),
    },
    (app) => app.fsRoutes("/docs"),
  );
  deepStrictEqual(await (await get("/docs")).json(), { route: "/docs" });
  deepStrictEqual(await (await get("/docs/guide/x")).json(), {
    route: "/docs/guide/:slug",
  });
  strictEqual((await get("/")).status, 404);
  strictEqual((await get("/guide/x")).status, 404);
});

Deno.test("fs routes: routes are inserted where fsRoutes() is called in the chain", async () => {
  const get = serve(
    { "index.ts": { handler: (ctx: Context) => ctx.json(ctx.state) } },
    (app) =>
      app
        .use((ctx) => {
          ctx.state = { before: true };
          return ctx.next();
        })
        .fsRoutes()
        .use((ctx) => {
          (ctx.state as Record<string, boolean>).after = true;
          return ctx.next();
        }),
  );
  deepStrictEqual(await (await get("/")).json(), { before: true });
});

Deno.test("fs routes: a route's config skips the inherited _layout and _app", async () => {
  const get = serve({
    "_app.tsx": {
      default: ({ Component }: PageProps) => (
        <html>
          <head>
            <title>app</title>
          </head>
          <body>
            <Component />
          </body>
        </html>
      ),
    },
    "_layout.tsx": Layout("root"),
    "bare.tsx": {
      config: { skipAppWrapper: true, skipInheritedLayouts: true },
      default: () => <p>bare</p>,
    },
    "nolayout.tsx": {
      config: { skipInheritedLayouts: true },
      default: () => <p>nl</p>,
    },
  });
  let html = await (await get("/bare")).text();
  ok(!html.includes("<title>app</title>"));
  ok(!html.includes('class="root"'));
  match(html, /<p>bare<\/p>/);
  html = await (await get("/nolayout")).text();
  match(html, /<title>app<\/title>/);
  ok(!html.includes('class="root"'));
});

Deno.test("fs routes: a _layout's config can drop the layouts above it", async () => {
  const get = serve({
    "_layout.tsx": Layout("root"),
    "print/_layout.tsx": {
      ...Layout("print"),
      config: { skipInheritedLayouts: true },
    },
    "print/page.tsx": text("p"),
  });
  const html = await (await get("/print/page")).text();
  ok(!html.includes('class="root"'));
  match(html, /<div class="print"><p>p<\/p><\/div>/);
});

Deno.test("fs routes: a handler object without GET still renders the component for GET", async () => {
  const get = serve({
    "form.tsx": {
      handler: { POST: () => new Response("posted") },
      default: () => <form />,
    },
  });
  strictEqual((await get("/form")).status, 200);
  strictEqual(await (await get("/form", { method: "POST" })).text(), "posted");
  const res = await get("/form", { method: "DELETE" });
  strictEqual(res.status, 405);
  strictEqual(res.headers.get("allow"), "GET, HEAD, OPTIONS, POST");
});

Deno.test("fs routes: a module with neither handler nor component is skipped with a warning", async () => {
  const warnings: unknown[] = [];
  const original = console.warn;
  console.warn = (...args: unknown[]) => void warnings.push(args);
  try {
    const get = serve({ "empty.ts": {} });
    strictEqual((await get("/empty")).status, 404);
  } finally {
    console.warn = original;
  }
  strictEqual(warnings.length, 1);
});

Deno.test("fs routes: a _404 handler object can pass data to its page", async () => {
  const get = serve({
    "_404.tsx": {
      handler: { GET: (ctx: Context) => page({ path: ctx.url.pathname }) },
      default: ({ data }: PageProps<{ path: string }>) => <p>no {data.path}</p>,
    },
  });
  for (const method of ["GET", "POST"]) {
    const res = await get("/x", { method });
    strictEqual(res.status, 404);
    match(await res.text(), /<p>no \/x<\/p>/);
  }
});

Deno.test("fs routes: HEAD of a file route sends headers without a body", async () => {
  const get = serve({ "index.tsx": text("home") });
  const res = await get("/", { method: "HEAD" });
  strictEqual(res.status, 200);
  strictEqual(res.headers.get("content-type"), "text/html; charset=utf-8");
  strictEqual(res.body, null);
});
