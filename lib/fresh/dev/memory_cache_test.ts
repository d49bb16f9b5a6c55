import assert from "node:assert/strict";
import { MemoryBuildCache } from "./memory_cache.ts";
import type { BuiltFile } from "./static.ts";

function build(id: string, paths: string[]) {
  const files: BuiltFile[] = paths.map((pathname) => ({
    pathname,
    contents: new TextEncoder().encode(pathname),
    contentType: "text/plain; charset=utf-8",
    hash: "h",
    immutable: false,
    encoded: {},
  }));
  return {
    buildId: id,
    clientEntry: `/_fresh/js/${id}/boot.js`,
    clientEntryImports: [],
    islands: new Map(),
    files,
  };
}

Deno.test("MemoryBuildCache: hasStaticFile agrees with readStaticFile and follows update()", async () => {
  const cache = new MemoryBuildCache("development", [], build("a", ["/a.txt"]));
  assert.equal(cache.hasStaticFile("/a.txt"), true);
  assert.ok(await cache.readStaticFile("/a.txt"));
  assert.equal(cache.hasStaticFile("/b.txt"), false);
  assert.equal(await cache.readStaticFile("/b.txt"), null);

  cache.update(build("b", ["/b.txt"]));
  assert.equal(cache.hasStaticFile("/a.txt"), false);
  assert.equal(cache.hasStaticFile("/b.txt"), true);
  assert.equal(cache.buildId, "b");
});
