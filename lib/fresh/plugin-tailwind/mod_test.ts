import assert from "node:assert/strict";
import * as path from "node:path";
import { App, getBuildCache } from "../app.ts";
import { Builder } from "../dev/builder.ts";
import { makeFixture } from "../dev/testdata/fixture.ts";
import { compileTailwind, globToRegExp, tailwind } from "./mod.ts";

Deno.test("compileTailwind: utilities used in the sources, not unused ones", async () => {
  const fx = await makeFixture();
  try {
    const file = path.join(fx.root, "static/styles.css");
    const css = await compileTailwind(await Deno.readTextFile(file), {
      file,
      root: fx.root,
      minify: false,
    });
    for (const used of [".bg-emerald-700", ".text-lime-600", ".underline"]) {
      assert.ok(css.includes(used), used);
    }
    // Written here, outside the fixture's sources, so never generated.
    assert.ok(!css.includes("bg-fuchsia-900"));
    assert.ok(css.includes("rebeccapurple"), "the file's own CSS is kept");
    assert.ok(!css.includes('@import "tailwindcss"'));
    assert.match(css, /\n {2}/, "development output is readable");

    const min = await compileTailwind(await Deno.readTextFile(file), {
      file,
      root: fx.root,
      minify: true,
    });
    assert.ok(min.includes(".bg-emerald-700{"));
    assert.ok(min.length < css.length);
  } finally {
    await fx.cleanup();
  }
});

Deno.test("tailwind(builder): compiles static CSS in builds; exclude leaves files alone", async () => {
  const fx = await makeFixture({
    "static/admin/raw.css": '@import "tailwindcss";',
    "static/plain.css": "p { color: red; }",
  });
  try {
    const builder = new Builder({ root: fx.root });
    tailwind(builder, { exclude: ["/admin/**"] });
    const apply = await builder.build({
      snapshot: "memory",
      mode: "development",
    });
    const app = new App();
    apply(app);
    app.get("/__read", async (ctx) => {
      const file = await getBuildCache(ctx)!.readStaticFile(
        ctx.url.searchParams.get("p")!,
      );
      return new Response(file!.body as Uint8Array<ArrayBuffer>);
    });
    const handler = app.handler();
    const read = async (p: string) =>
      await (await handler(
        new Request(`http://x/__read?p=${encodeURIComponent(p)}`),
      )).text();
    assert.ok((await read("/styles.css")).includes(".bg-emerald-700"));
    assert.equal(await read("/admin/raw.css"), '@import "tailwindcss";');
    assert.match(await read("/plain.css"), /p\s*\{\s*color: red;?\s*\}/);
  } finally {
    await fx.cleanup();
  }
});

Deno.test("globToRegExp: ** spans folders, * does not; bare patterns match names", () => {
  assert.ok(globToRegExp("/admin/**").test("/admin/a/b.css"));
  assert.ok(!globToRegExp("/admin/*").test("/admin/a/b.css"));
  assert.ok(globToRegExp("*.temp.css").test("/x/y.temp.css"));
  assert.ok(!globToRegExp("*.temp.css").test("/x/ytemp.css"));
});
