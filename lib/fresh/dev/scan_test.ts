import assert from "node:assert/strict";
import * as path from "node:path";
import { islandNames, scanIslands, scanRoutes } from "./scan.ts";
import { makeFixture } from "./testdata/fixture.ts";

Deno.test("scanRoutes: routes, local islands; tests and (_private) skipped", async () => {
  const fx = await makeFixture({
    "routes/blog/[slug].tsx": "export default () => null;",
    "routes/(group)/_layout.tsx": "export default () => null;",
    "routes/(group)/x.test.ts": "",
    "routes/.hidden/secret.ts": "",
    "routes/.well-known/security.txt.ts":
      "export const handler = () => new Response('');",
    "routes/README.md": "not a module",
  });
  try {
    const { routes, islands } = await scanRoutes(path.join(fx.root, "routes"));
    assert.deepEqual(routes, [
      "(group)/_layout.tsx",
      ".well-known/security.txt.ts",
      "api/ping.ts",
      "blog/[slug].tsx",
      "index.tsx",
    ]);
    assert.deepEqual(islands, [
      path.join(fx.root, "routes", "(_islands)", "Local.tsx"),
    ]);
  } finally {
    await fx.cleanup();
  }
});

Deno.test("scanIslands: every module below islands/, tests skipped; missing folder is empty", async () => {
  const fx = await makeFixture({
    "islands/deep/Menu.jsx": "export default () => null;",
  });
  try {
    const files = await scanIslands(path.join(fx.root, "islands"));
    assert.deepEqual(
      files.map((f) => path.relative(fx.root, f)),
      ["islands/Counter.tsx", "islands/Other.tsx", "islands/deep/Menu.jsx"],
    );
    assert.deepEqual(await scanIslands(path.join(fx.root, "nope")), []);
  } finally {
    await fx.cleanup();
  }
});

Deno.test("islandNames: file name, _Export for named exports, unique and markup-safe", () => {
  const names = islandNames([
    { file: "/a/islands/Counter.tsx", exportName: "default" },
    { file: "/a/islands/Counter.tsx", exportName: "Named" },
    { file: "/a/routes/x/(_islands)/Counter.tsx", exportName: "default" },
    { file: "/a/islands/Menu/index.tsx", exportName: "default" },
    { file: "/a/islands/my-widget.v2.tsx", exportName: "default" },
    { file: "/a/islands/3d.tsx", exportName: "default" },
    { file: '/a/islands/--><b>"x.tsx', exportName: "default" },
  ]);
  assert.deepEqual(names, [
    "Counter",
    "Counter_Named",
    "Counter_2",
    "Menu",
    "my_widget_v2",
    "_3d",
    "____b__x",
  ]);
  for (const n of names) assert.match(n, /^[A-Za-z_][A-Za-z0-9_]*$/);
});
