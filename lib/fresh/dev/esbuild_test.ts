import assert from "node:assert/strict";
import * as path from "node:path";
import { BuildError, bundleClient } from "./esbuild.ts";
import { loadImportMap } from "./import_map.ts";
import { BOOT_ENTRY } from "./pipeline.ts";
import { makeFixture } from "./testdata/fixture.ts";

async function bundle(
  root: string,
  islands: string[],
  mode: "development" | "production" = "production",
) {
  return await bundleClient({
    root,
    mode,
    target: "es2020",
    importMap: await loadImportMap(root),
    entries: [
      { name: "fresh-runtime", file: BOOT_ENTRY },
      ...islands.map((f) => ({
        name: path.basename(f, ".tsx"),
        file: path.join(root, f),
      })),
    ],
  });
}

Deno.test("bundleClient: islands and boot share one Preact and one signals chunk", async () => {
  const fx = await makeFixture();
  try {
    const b = await bundle(fx.root, [
      "islands/Counter.tsx",
      "islands/Other.tsx",
    ]);
    const holders = (needle: RegExp) =>
      Object.entries(b.metafile.outputs)
        .filter(([, out]) =>
          Object.keys(out.inputs).some((i) => needle.test(i))
        )
        .map(([key]) => path.basename(key));
    const preact = holders(/\/preact\/dist\/preact\.module\.js$/);
    const signals = holders(/\/signals-core\.module\.js$/);
    assert.equal(preact.length, 1, `preact in ${preact}`);
    assert.equal(signals.length, 1, `signals in ${signals}`);
    for (const name of ["fresh-runtime", "Counter", "Other"]) {
      assert.ok(
        b.entries.get(name)!.imports.includes(preact[0]),
        `${name} imports preact`,
      );
    }
    assert.ok(b.entries.get("Counter")!.imports.includes(signals[0]));
    assert.ok(b.entries.get("fresh-runtime")!.imports.includes(signals[0]));
    assert.deepEqual(b.entries.get("Counter")!.exports.sort(), [
      "Named",
      "default",
      "notAComponent",
    ]);
    for (const f of b.files) assert.match(f.name, /^[\w-]+-[A-Z0-9]{8}\.js$/);
  } finally {
    await fx.cleanup();
  }
});

Deno.test("bundleClient: development has linked source maps and is not minified", async () => {
  const fx = await makeFixture();
  try {
    const b = await bundle(fx.root, ["islands/Other.tsx"], "development");
    const other = b.files.find((f) =>
      f.name === b.entries.get("Other")!.output
    )!;
    const text = new TextDecoder().decode(other.contents);
    assert.match(text, /function Other\(/);
    assert.match(text, /sourceMappingURL=Other-\w+\.js\.map/);
    assert.ok(b.files.some((f) => f.name.endsWith(".js.map")));
  } finally {
    await fx.cleanup();
  }
});

Deno.test("bundleClient: errors name file:line:column; browser-incompatible imports refused", async () => {
  const fx = await makeFixture({
    "islands/Broken.tsx":
      "export default function Broken() {\n  return <div>{1 +}</div>;\n}\n",
    "islands/Server.tsx":
      'import fs from "node:fs";\nexport default () => String(fs);\n',
  });
  try {
    const err = await bundle(fx.root, [
      "islands/Broken.tsx",
      "islands/Server.tsx",
    ])
      .then(() => null, (e) => e);
    assert.ok(err instanceof BuildError);
    assert.match(err.message, /Client build failed with 2 errors/);
    assert.match(err.message, /islands\/Broken\.tsx:2:\d+/);
    assert.match(
      err.message,
      /"node:fs" cannot be bundled for the browser.*islands\/Server\.tsx:1:\d+/s,
    );
  } finally {
    await fx.cleanup();
  }
});
