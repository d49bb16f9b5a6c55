import assert from "node:assert/strict";
import { ProdBuildCache, type Snapshot } from "./build_cache_prod.ts";

function Counter() {
  return null;
}

function snapshotFor(files: Snapshot["staticFiles"]): Snapshot {
  return {
    version: 1,
    buildId: "abc",
    clientEntry: "/_fresh/js/abc/boot.js",
    clientEntryImports: ["/_fresh/js/abc/chunk.js"],
    islands: [
      {
        file: "islands/Counter.tsx",
        exportName: "default",
        name: "Counter",
        chunk: "/_fresh/js/abc/Counter.js",
        imports: ["/_fresh/js/abc/chunk.js"],
      },
      {
        file: "islands/Counter.tsx",
        exportName: "Counter",
        name: "Counter_Counter",
        chunk: "/_fresh/js/abc/Counter.js",
        imports: [],
      },
      {
        file: "islands/Counter.tsx",
        exportName: "LIMIT",
        name: "Counter_LIMIT",
        chunk: "/_fresh/js/abc/Counter.js",
        imports: [],
      },
    ],
    routes: ["index.tsx"],
    staticFiles: files,
  };
}

Deno.test("ProdBuildCache: islands are the exported functions; routes by path", () => {
  const mod = { default: Counter, Counter, LIMIT: 3 };
  const cache = new ProdBuildCache(
    snapshotFor({}),
    new URL("file:///nowhere/"),
    {
      islands: { "islands/Counter.tsx": mod },
      routes: { "index.tsx": { default: Counter } },
    },
  );
  assert.equal(
    cache.islands.size,
    1,
    "a function exported twice keeps its first name; constants are no islands",
  );
  assert.deepEqual(cache.islands.get(Counter), {
    name: "Counter",
    exportName: "default",
    file: "/_fresh/js/abc/Counter.js",
    imports: ["/_fresh/js/abc/chunk.js"],
  });
  assert.deepEqual(cache.fsRoutes, [{
    path: "index.tsx",
    mod: { default: Counter },
  }]);
  assert.equal(cache.mode, "production");
  assert.throws(
    () =>
      new ProdBuildCache(snapshotFor({}), new URL("file:///x/"), {
        islands: {},
        routes: {},
      }),
    /Route module index\.tsx missing/,
  );
  assert.throws(
    () =>
      new ProdBuildCache(
        { ...snapshotFor({}), version: 2 as 1 },
        new URL("file:///x/"),
        { islands: {}, routes: {} },
      ),
    /rebuild/,
  );
});

Deno.test("ProdBuildCache: reads only listed files; small ones from memory, large ones streamed", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const big = new Uint8Array(600 * 1024).fill(65);
    await Deno.mkdir(`${dir}/a b`);
    await Deno.writeTextFile(`${dir}/a b/x#1.txt`, "hello");
    await Deno.writeTextFile(`${dir}/a b/x#1.txt.br`, "BR");
    await Deno.writeFile(`${dir}/big.bin`, big);
    await Deno.writeTextFile(`${dir}/secret.txt`, "not listed");
    const meta = {
      hash: "h",
      contentType: "text/plain; charset=utf-8",
      immutable: false,
    };
    const cache = new ProdBuildCache(
      snapshotFor({
        "/a b/x#1.txt": { ...meta, size: 5, encodings: { br: 2 } },
        "/big.bin": { ...meta, size: big.byteLength, encodings: {} },
      }),
      new URL(`file://${dir}`),
      { islands: {}, routes: { "index.tsx": {} } },
    );
    assert.equal(cache.hasStaticFile("/a b/x#1.txt"), true);
    assert.equal(cache.hasStaticFile("/big.bin"), true);
    assert.equal(cache.hasStaticFile("/secret.txt"), false);
    assert.equal(
      cache.hasStaticFile("/a%20b/x%231.txt"),
      false,
      "decoded keys",
    );
    const small = await cache.readStaticFile("/a b/x#1.txt");
    assert.equal(new TextDecoder().decode(small!.body as Uint8Array), "hello");
    assert.equal(small!.size, 5);
    assert.equal(
      (await cache.readStaticFile("/a b/x#1.txt"))!.body,
      small!.body,
      "kept in memory",
    );
    const br = await cache.readEncodedStaticFile("/a b/x#1.txt", "br");
    assert.equal(new TextDecoder().decode(br!.body as Uint8Array), "BR");
    assert.equal(
      await cache.readEncodedStaticFile("/a b/x#1.txt", "gzip"),
      null,
    );

    const large = await cache.readStaticFile("/big.bin");
    assert.ok(large!.body instanceof ReadableStream);
    assert.equal(
      (await new Response(large!.body).arrayBuffer()).byteLength,
      big.byteLength,
    );

    assert.equal(await cache.readStaticFile("/secret.txt"), null);
    await Deno.remove(`${dir}/big.bin`);
    assert.equal(
      await cache.readStaticFile("/big.bin"),
      null,
      "deleted after the build",
    );
    assert.equal(await cache.readStaticFile("/../secret.txt"), null);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
