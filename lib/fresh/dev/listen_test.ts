import assert from "node:assert/strict";
import * as path from "node:path";
import { Builder } from "./builder.ts";
import { makeFixture } from "./testdata/fixture.ts";

async function until<T>(fn: () => Promise<T | null>, what: string): Promise<T> {
  for (let i = 0; i < 100; i++) {
    const v = await fn();
    if (v !== null) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

Deno.test({
  name:
    "listen(): development server rebuilds client and static files on change",
  fn: async () => {
    const fx = await makeFixture();
    const abort = new AbortController();
    let base = "";
    const listening = Promise.withResolvers<void>();
    const done = new Builder({ root: fx.root }).listen(
      () => import(path.join(fx.root, "main.ts")),
      {
        hostname: "127.0.0.1",
        port: 0,
        signal: abort.signal,
        onListen: (addr) => {
          base = `http://127.0.0.1:${addr.port}`;
          listening.resolve();
        },
      },
    );
    try {
      await listening.promise;
      const robots = await fetch(base + "/robots.txt");
      assert.equal(await robots.text(), "User-agent: *\nAllow: /\n");
      assert.equal(robots.headers.get("cache-control"), "no-cache");
      const page = await (await fetch(base + "/")).text();
      const entry =
        page.match(/\/_fresh\/js\/[0-9a-f]+\/fresh-runtime-\w+\.js/)![0];
      const js = await fetch(base + entry);
      await js.body?.cancel();
      assert.equal(js.status, 200);

      await Deno.writeTextFile(
        path.join(fx.root, "static/robots.txt"),
        "changed",
      );
      await until(async () => {
        const text = await (await fetch(base + "/robots.txt")).text();
        return text === "changed" ? text : null;
      }, "static file rebuild");
      const next = await until(async () => {
        const html = await (await fetch(base + "/")).text();
        return html.includes(entry) ? null : html;
      }, "new build id");
      assert.match(next, /\/_fresh\/js\/[0-9a-f]+\/fresh-runtime-\w+\.js/);
      const old = await fetch(base + entry);
      await old.body?.cancel();
      assert.equal(old.status, 404, "the previous build's files are gone");
    } finally {
      abort.abort();
      await done;
      await fx.cleanup();
    }
  },
});
