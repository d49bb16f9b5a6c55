import assert from "node:assert/strict";
import * as path from "node:path";
import type { Snapshot } from "../build_cache_prod.ts";
import { tailwind } from "../plugin-tailwind/mod.ts";
import { Builder } from "./builder.ts";
import { makeFixture } from "./testdata/fixture.ts";
import { relativeSpecifier } from "./write.ts";

function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

/** Starts deno on the fixture and waits until it serves `port`. */
async function startServer(
  root: string,
  args: string[],
  port: number,
  env: Record<string, string> = {},
) {
  const child = new Deno.Command(Deno.execPath(), {
    args,
    cwd: root,
    env: { NO_COLOR: "1", ...env },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const output = Promise.all([
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
  ]);
  for (let i = 0; i < 300; i++) {
    const up = await fetch(`http://127.0.0.1:${port}/robots.txt`).then(
      async (r) => (await r.body?.cancel(), true),
      () => false,
    );
    if (up) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url: `http://127.0.0.1:${port}`,
    async stop() {
      try {
        child.kill("SIGTERM");
      } catch { /* already exited */ }
      await child.status;
      return (await output).join("\n");
    },
  };
}

Deno.test({
  name:
    "build(): _fresh/ with static files, snapshot.json and a server.js that serves it",
  fn: async () => {
    const fx = await makeFixture();
    try {
      const builder = new Builder({ root: fx.root });
      tailwind(builder);
      await builder.build();
      const out = path.join(fx.root, "_fresh");
      const snapshot: Snapshot = JSON.parse(
        await Deno.readTextFile(path.join(out, "snapshot.json")),
      );
      assert.equal(snapshot.version, 1);
      assert.deepEqual(snapshot.routes, ["api/ping.ts", "index.tsx"]);
      assert.deepEqual(
        snapshot.islands.map((i) => `${i.file}#${i.exportName}=${i.name}`),
        [
          "islands/Counter.tsx#default=Counter",
          "islands/Counter.tsx#Named=Counter_Named",
          "islands/Counter.tsx#notAComponent=Counter_notAComponent",
          "islands/Other.tsx#default=Other",
          "routes/(_islands)/Local.tsx#default=Local",
        ],
      );
      const css = snapshot.staticFiles["/styles.css"];
      assert.equal(css.contentType, "text/css; charset=utf-8");
      assert.equal(css.immutable, false);
      assert.match(css.hash, /^[0-9a-f]{24}$/);
      const built = Object.entries(snapshot.staticFiles).filter(([p]) =>
        p.startsWith(`/_fresh/js/${snapshot.buildId}/`)
      );
      assert.ok(built.length >= 4);
      for (const [p, f] of built) {
        assert.ok(f.immutable);
        assert.match(p, /-[A-Z0-9]{8}\.js$/);
        const onDisk = await Deno.readFile(
          path.join(out, "static", ...p.split("/")),
        );
        assert.equal(onDisk.byteLength, f.size);
      }
      const big = built.find(([, f]) => f.encodings.br !== undefined);
      assert.ok(big, "large chunks are precompressed");
      const stylesOnDisk = await Deno.readTextFile(
        path.join(out, "static/styles.css"),
      );
      assert.ok(
        stylesOnDisk.includes(".bg-emerald-700{"),
        "tailwind compiled and minified",
      );

      const server = await Deno.readTextFile(path.join(out, "server.js"));
      assert.match(server, /import \{ app \} from "\.\.\/main\.ts";/);
      assert.match(
        server,
        /import \* as \$r\d from "\.\.\/routes\/index\.tsx";/,
      );
      assert.match(server, /"\.\.\/routes\/\(_islands\)\/Local\.tsx"/);

      // Upstream's contract: a default export `{ fetch }` and nothing
      // else, served by `deno serve` on the address its flags give.
      assert.match(server, /\nexport default \{ fetch: app\.handler\(\) \};\n/);
      assert.ok(!/Deno\.env|HOSTNAME|listen\(/.test(server), server);
      const port = freePort();
      const run = await startServer(
        fx.root,
        [
          "serve",
          "-A",
          "--host",
          "127.0.0.1",
          "--port",
          String(port),
          "_fresh/server.js",
        ],
        port,
      );
      let logs = "";
      try {
        const ping = await fetch(run.url + "/api/ping");
        assert.equal(await ping.text(), "pong");
        const page = await fetch(run.url + "/");
        const html = await page.text();
        assert.equal(page.status, 200);
        assert.ok(html.includes(snapshot.clientEntry));
        assert.match(page.headers.get("link") ?? "", /rel="modulepreload"/);
        const chunk = await fetch(run.url + big[0], {
          headers: { "accept-encoding": "br" },
        });
        await chunk.arrayBuffer();
        assert.equal(
          chunk.headers.get("cache-control"),
          "public, max-age=31536000, immutable",
        );
        const styles = await fetch(run.url + "/styles.css");
        assert.equal(await styles.text(), stylesOnDisk);
        const etag = styles.headers.get("etag")!;
        assert.equal(etag, `W/"${css.hash}"`);
        const again = await fetch(run.url + "/styles.css", {
          headers: { "if-none-match": etag },
        });
        await again.body?.cancel();
        assert.equal(again.status, 304);
        for (
          const evil of [
            "/../deno.json",
            "/%2e%2e/deno.json",
            "/%ZZ",
            "/..%2fdeno.json",
            "/%2e%2e%2fmain.ts",
          ]
        ) {
          const res = await fetch(run.url + evil);
          const body = await res.text();
          assert.ok(res.status === 404, `${evil}: ${res.status}`);
          assert.ok(
            !body.includes("nodeModulesDir") && !body.includes("fsRoutes"),
            evil,
          );
        }
      } finally {
        logs = await run.stop();
      }
      assert.ok(!logs.includes("did you mean"), logs);

      assert.match(
        logs,
        new RegExp(`Listening on http://127\\.0\\.0\\.1:${port}/`),
      );
    } finally {
      await fx.cleanup();
    }
  },
});

Deno.test("build(): a syntax error fails the build with file:line and a non-zero exit", async () => {
  const fx = await makeFixture({
    "islands/Broken.tsx":
      "export default function Broken() {\n  return <div>{1 +}</div>;\n}\n",
    "build.ts":
      'import { Builder } from "../../../lib/fresh/dev/mod.ts";\nawait new Builder().build();\n',
  });
  try {
    const res = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "build.ts"],
      cwd: fx.root,
      env: { NO_COLOR: "1" },
      stdin: "null",
    }).output();
    assert.notEqual(res.code, 0);
    const stderr = new TextDecoder().decode(res.stderr);
    assert.match(stderr, /islands\/Broken\.tsx:2:\d+/);
    assert.equal(
      await Deno.stat(path.join(fx.root, "_fresh")).catch(() => null),
      null,
    );
  } finally {
    await fx.cleanup();
  }
});

Deno.test("relativeSpecifier: relative, URL-safe", () => {
  assert.equal(relativeSpecifier("/a/_fresh", "/a/main.ts"), "../main.ts");
  assert.equal(relativeSpecifier("/a/_fresh", "/a/_fresh/x.js"), "./x.js");
  assert.equal(
    relativeSpecifier("/a/_fresh", "/a/routes/[id]#%?.tsx"),
    "../routes/[id]%23%25%3F.tsx",
  );
});
