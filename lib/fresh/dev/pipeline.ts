/**
 * One build, independent of where it goes: scan the project, bundle the
 * client, collect the static files, name everything. The Builder then keeps
 * the result in memory (development, tests) or writes it to `_fresh/`.
 *
 * @module
 */
import { fileURLToPath } from "node:url";
import { checkCompilerOptions } from "./check.ts";
import { bundleClient } from "./esbuild.ts";
import { loadImportMap } from "./import_map.ts";
import { islandNames, scanIslands, scanRoutes } from "./scan.ts";
import {
  type BuiltFile,
  collectStaticFiles,
  contentType,
  hashBytes,
  precompress,
  type StaticTransformer,
} from "./static.ts";

/** Builder options with every default applied and paths made absolute. */
export interface BuilderConfig {
  root: string;
  serverEntry: string;
  outDir: string;
  staticDir: string;
  islandDir: string;
  routeDir: string;
  target: string | string[];
  /** Mode of the latest build or server: `build()` is production. */
  mode: "development" | "production";
}

/** One island export of a build. */
export interface BuiltIsland {
  /** Absolute path of the island module. */
  file: string;
  exportName: string;
  name: string;
  /** URL of its client chunk. */
  chunk: string;
  /** URLs of the chunks that chunk imports. */
  imports: string[];
}

/** Everything one build produced. */
export interface BuildOutput {
  buildId: string;
  mode: "development" | "production";
  clientEntry: string;
  clientEntryImports: string[];
  /** Every export of every island module (functions are filtered later). */
  islands: BuiltIsland[];
  /** Route modules, relative to the routes folder. */
  routes: string[];
  /** Static files and client files, by URL path. */
  files: BuiltFile[];
}

/** The client boot module every page with islands loads. */
export const BOOT_ENTRY: string = fileURLToPath(
  new URL("../runtime/client/boot.ts", import.meta.url),
);

/**
 * Runs one build. The build id is a hash of every output file in
 * production (identical input gives identical URLs) and random in
 * development (every rebuild gets fresh URLs, so no stale cached chunk is
 * ever used).
 *
 * @example
 * ```ts
 * declare const config: BuilderConfig;
 * const out = await runBuild(config, [], "production");
 * out.clientEntry; // "/_fresh/js/<id>/fresh-runtime-HASH.js"
 * ```
 */
export async function runBuild(
  config: BuilderConfig,
  transformers: StaticTransformer[],
  mode: "development" | "production",
  bootEntry: string = BOOT_ENTRY,
): Promise<BuildOutput> {
  await checkCompilerOptions(config.root);
  const [routeScan, islandFiles, importMap] = await Promise.all([
    scanRoutes(config.routeDir),
    scanIslands(config.islandDir),
    loadImportMap(config.root),
  ]);
  const files = [...islandFiles, ...routeScan.islands];
  const entryNames = islandNames(
    files.map((file) => ({ file, exportName: "default" })),
  );
  const [bundle, staticFiles] = await Promise.all([
    bundleClient({
      root: config.root,
      mode,
      target: config.target,
      importMap,
      // The boot entry's name has a `-`, which island names never have.
      entries: [
        { name: "fresh-runtime", file: bootEntry },
        ...files.map((file, i) => ({ name: entryNames[i], file })),
      ],
    }),
    collectStaticFiles(config.staticDir, transformers, mode),
  ]);

  const clientFiles: BuiltFile[] = await Promise.all(
    bundle.files.map(async (f) => ({
      pathname: f.name,
      contents: f.contents,
      contentType: contentType(f.name),
      hash: await hashBytes(f.contents),
      immutable: true,
      encoded: {},
    })),
  );
  const buildId = mode === "production"
    ? await hashBytes(
      new TextEncoder().encode(
        [...clientFiles, ...staticFiles]
          .map((f) => `${f.pathname}\0${f.hash}\n`)
          .join(""),
      ),
    )
    : randomId();
  const prefix = `/_fresh/js/${buildId}/`;
  for (const f of clientFiles) f.pathname = prefix + f.pathname;

  const boot = bundle.entries.get("fresh-runtime");
  if (boot === undefined) {
    throw new Error("The client boot module was not built");
  }
  const islandExports = files.flatMap((file, i) => {
    const entry = bundle.entries.get(entryNames[i]);
    if (entry === undefined) throw new Error(`Island ${file} was not built`);
    // `default` first, then named exports: names stay stable across builds.
    const names = entry.exports.filter((e) => e !== "default").sort();
    if (entry.exports.includes("default")) names.unshift("default");
    return names.map((exportName) => ({ file, exportName, entry }));
  });
  const names = islandNames(islandExports);
  const islands = islandExports.map(({ file, exportName, entry }, i) => ({
    file,
    exportName,
    name: names[i],
    chunk: prefix + entry.output,
    imports: entry.imports.map((p) => prefix + p),
  }));

  const all = [...staticFiles, ...clientFiles];
  if (mode === "production") precompress(all);
  return {
    buildId,
    mode,
    clientEntry: prefix + boot.output,
    clientEntryImports: boot.imports.map((p) => prefix + p),
    islands,
    routes: routeScan.routes,
    files: all,
  };
}

function randomId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}
