import assert from "node:assert/strict";
import {
  loadImportMap,
  mapSpecifier,
  npmToBare,
  parseJsonc,
} from "./import_map.ts";
import { REPO_ROOT } from "./testdata/fixture.ts";

Deno.test("npmToBare: versions and leading slash dropped, subpaths kept", () => {
  assert.equal(npmToBare("npm:preact@10.29.8"), "preact");
  assert.equal(npmToBare("npm:preact@10.29.8/hooks"), "preact/hooks");
  assert.equal(
    npmToBare("npm:/preact@10.29.8/jsx-runtime"),
    "preact/jsx-runtime",
  );
  assert.equal(npmToBare("npm:@preact/signals@2.11.4"), "@preact/signals");
  assert.equal(npmToBare("npm:@preact/signals/utils"), "@preact/signals/utils");
  assert.equal(npmToBare("npm:esbuild"), "esbuild");
});

Deno.test("mapSpecifier: exact keys win over the longest prefix", () => {
  const map = {
    baseDir: "/app",
    imports: {
      "preact": "npm:preact@1",
      "preact/": "npm:/preact@1/",
      "preact/hooks": "npm:preact@1/hooks",
      "fresh/runtime": "./lib/fresh/runtime/mod.ts",
      "@/": "./",
    },
  };
  assert.equal(mapSpecifier(map, "preact"), "npm:preact@1");
  assert.equal(mapSpecifier(map, "preact/hooks"), "npm:preact@1/hooks");
  assert.equal(mapSpecifier(map, "preact/debug"), "npm:/preact@1/debug");
  assert.equal(mapSpecifier(map, "@/islands/X.tsx"), "./islands/X.tsx");
  assert.equal(mapSpecifier(map, "lodash"), null);
});

Deno.test("parseJsonc: comments and trailing commas, strings untouched", () => {
  const text = `{
    // a comment
    "a": "http://x//y", /* block */
    "b": [1, 2,],
  }`;
  assert.deepEqual(parseJsonc(text, "deno.jsonc"), {
    a: "http://x//y",
    b: [1, 2],
  });
  assert.throws(() => parseJsonc("{", "bad.json"), /bad\.json: invalid JSON/);
});

Deno.test("loadImportMap: finds the repository's deno.json from a subfolder", async () => {
  const map = await loadImportMap(`${REPO_ROOT}/lib/fresh/dev`);
  assert.equal(map.baseDir, REPO_ROOT);
  assert.match(map.imports["preact"], /^npm:preact@/);
});
