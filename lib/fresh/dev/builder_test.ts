import assert from "node:assert/strict";
import * as path from "node:path";
import { App, getBuildCache } from "../app.ts";
import type { BuildCache } from "../build_cache.ts";
import { Builder } from "./builder.ts";
import { BuildError } from "./esbuild.ts";
import { makeFixture } from "./testdata/fixture.ts";

// The cache an app got from apply(), read back through a request context.
async function cacheOf(app: App<unknown>): Promise<BuildCache> {
  let cache: BuildCache | null = null;
  app.get("/__probe_cache", (ctx) => {
    cache = getBuildCache(ctx);
    return new Response();
  });
  await app.handler()(new Request("http://x/__probe_cache"));
  assert.ok(cache !== null, "the app has a build cache");
  return cache;
}

Deno.test("build({ snapshot: 'memory' }): islands, routes and client files for an app", async () => {
  const fx = await makeFixture();
  try {
    const apply = await new Builder({ root: fx.root }).build({
      snapshot: "memory",
    });
    const { app } = await import(path.join(fx.root, "main.ts"));
    apply(app);
    const cache = await cacheOf(app);
    assert.equal(cache.mode, "production");
    assert.deepEqual(cache.fsRoutes.map((r) => r.path), [
      "api/ping.ts",
      "index.tsx",
    ]);

    const counterMod = await import(path.join(fx.root, "islands/Counter.tsx"));
    const localMod = await import(
      path.join(fx.root, "routes/(_islands)/Local.tsx")
    );
    const counter = cache.islands.get(counterMod.default)!;
    const named = cache.islands.get(counterMod.Named)!;
    assert.equal(counter.name, "Counter");
    assert.equal(counter.exportName, "default");
    assert.equal(named.name, "Counter_Named");
    assert.equal(named.exportName, "Named");
    assert.equal(named.file, counter.file);
    assert.equal(cache.islands.get(localMod.default)?.name, "Local");
    assert.equal(cache.islands.size, 4, "notAComponent is not an island");

    const prefix = `/_fresh/js/${cache.buildId}/`;
    assert.ok(cache.clientEntry.startsWith(prefix + "fresh-runtime-"));
    assert.match(
      counter.file,
      new RegExp(`^${prefix}Counter-[A-Z0-9]{8}\\.js$`),
    );
    // One Preact chunk: every island and the boot module preload the same one.
    const shared = cache.clientEntryImports.filter((u) =>
      [...cache.islands.values()].every((i) => i.imports.includes(u))
    );
    assert.ok(shared.length >= 1, "a chunk shared by boot and all islands");

    const handler = app.handler();
    const page = await handler(new Request("http://localhost/"));
    const html = await page.text();
    assert.equal(page.status, 200);
    assert.ok(html.includes(cache.clientEntry), "boot module referenced");
    const js = await handler(new Request("http://localhost" + counter.file));
    assert.equal(js.status, 200);
    assert.equal(
      js.headers.get("cache-control"),
      "public, max-age=31536000, immutable",
    );
    assert.equal(
      js.headers.get("content-type"),
      "text/javascript; charset=utf-8",
    );
    assert.match(await js.text(), /export\s*\{/);
  } finally {
    await fx.cleanup();
  }
});

Deno.test("build: production ids are content hashes, stable across builds; development ids are random", async () => {
  const fx = await makeFixture();
  try {
    const ids = async (mode: "development" | "production") => {
      const apply = await new Builder({ root: fx.root }).build({
        snapshot: "memory",
        mode,
      });
      const app = new App();
      apply(app);
      return (await cacheOf(app)).buildId;
    };
    const [a, b] = [await ids("production"), await ids("production")];
    assert.equal(a, b);
    assert.match(a, /^[0-9a-f]{24}$/);
    const [c, d] = [await ids("development"), await ids("development")];
    assert.notEqual(c, d);
    await Deno.writeTextFile(
      path.join(fx.root, "static/robots.txt"),
      "changed",
    );
    assert.notEqual(
      await ids("production"),
      a,
      "static files are part of the id",
    );
    assert.equal(
      await Deno.stat(path.join(fx.root, "_fresh")).catch(() => null),
      null,
      "memory builds write nothing",
    );
  } finally {
    await fx.cleanup();
  }
});

Deno.test("onTransformStaticFile: runs in order on matching files; failures name plugin and file", async () => {
  const fx = await makeFixture({ "static/styles.css": "a{}" });
  try {
    const builder = new Builder({ root: fx.root });
    const seen: string[] = [];
    builder.onTransformStaticFile(
      { pluginName: "one", filter: /\.css$/ },
      (args) => {
        seen.push(`${path.basename(args.path)}:${args.mode}`);
        return { content: args.text + "/*1*/" };
      },
    );
    builder.onTransformStaticFile(
      { pluginName: "two", filter: /\.css$/ },
      ({ text }) => ({
        content: text + "/*2*/",
      }),
    );
    builder.onTransformStaticFile(
      { pluginName: "noop", filter: /\.txt$/ },
      () => {},
    );
    const apply = await builder.build({
      snapshot: "memory",
      mode: "development",
    });
    const app = new App();
    apply(app);
    const file = await (await cacheOf(app)).readStaticFile("/styles.css");
    assert.equal(
      new TextDecoder().decode(file!.body as Uint8Array),
      "a{}/*1*//*2*/",
    );
    assert.deepEqual(seen, ["styles.css:development"]);

    builder.onTransformStaticFile(
      { pluginName: "boom", filter: /\.css$/ },
      () => {
        throw new Error("bad input");
      },
    );
    const err = await builder.build({ snapshot: "memory" }).then(
      () => null,
      (e) => e,
    );
    assert.ok(err instanceof BuildError);
    assert.match(err.message, /\[boom\] .*static\/styles\.css: bad input/);
  } finally {
    await fx.cleanup();
  }
});
