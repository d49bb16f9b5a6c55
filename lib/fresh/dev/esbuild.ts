/**
 * The client bundle: the boot module and every island file, bundled by
 * esbuild with code splitting so that shared code (Preact, signals, the
 * boot runtime) is one chunk every island imports.
 *
 * @module
 */
import * as path from "node:path";
import * as esbuild from "esbuild";
import { type ImportMap, importMapPlugin } from "./import_map.ts";

/** One entry point of the client bundle. */
export interface ClientEntry {
  /** Output name (before the hash): an island name or `fresh-runtime`. */
  name: string;
  /** Absolute path of the module. */
  file: string;
}

/** Options of {@linkcode bundleClient}. */
export interface ClientBundleOptions {
  /** Project root: working directory and `node_modules/` location. */
  root: string;
  entries: ClientEntry[];
  mode: "development" | "production";
  /** esbuild target, e.g. `["chrome99", "firefox99", "safari15"]`. */
  target: string | string[];
  importMap: ImportMap;
}

/** One file of the bundle. */
export interface BundledFile {
  /** Path inside the bundle folder, `/`-separated: `Counter-4XKQ2ZJ7.js`. */
  name: string;
  contents: Uint8Array;
}

/** Where an entry point ended up. */
export interface BundledEntry {
  /** Its output file (a {@linkcode BundledFile} name). */
  output: string;
  /** Files it imports statically, directly or not (to preload). */
  imports: string[];
  /** Names it exports (`default`, named exports). */
  exports: string[];
}

/** The result of {@linkcode bundleClient}. */
export interface ClientBundle {
  files: BundledFile[];
  /** Keyed by entry name. */
  entries: Map<string, BundledEntry>;
  metafile: esbuild.Metafile;
}

/** A build that failed; the message holds esbuild's formatted errors. */
export class BuildError extends Error {
  /**
   * @example
   * ```ts
   * throw new BuildError("islands/Counter.tsx:3:7: ERROR: Expected \";\"");
   * ```
   */
  constructor(message: string) {
    super(message);
    this.name = "BuildError";
    // The message points into the user's files; a stack into the Builder
    // would only bury it when the error ends the `build` task.
    this.stack = `${this.name}: ${message}`;
  }
}

// esbuild runs a child process; it is stopped when no build is running so
// that one-shot builds (and tests) leave nothing behind.
let running = 0;

/**
 * Bundles the client entry points. Output names are content-hashed;
 * production output is minified, development output has linked source maps.
 * Errors (syntax errors, unresolvable imports) reject with a
 * {@linkcode BuildError} listing each one with file:line:column.
 *
 * @example
 * ```ts
 * import { loadImportMap } from "./import_map.ts";
 * const root = Deno.cwd();
 * const importMap = await loadImportMap(root);
 * const bundle = await bundleClient({
 *   root, mode: "production", target: "es2022", importMap,
 *   entries: [{ name: "Counter", file: `${root}/islands/Counter.tsx` }],
 * });
 * bundle.entries.get("Counter")?.output; // "Counter-HASH.js"
 * ```
 */
export async function bundleClient(
  opts: ClientBundleOptions,
): Promise<ClientBundle> {
  const outdir = path.join(opts.root, "_fresh", "js");
  const dev = opts.mode === "development";
  running++;
  let result: esbuild.BuildResult<{ write: false; metafile: true }>;
  try {
    result = await esbuild.build({
      absWorkingDir: opts.root,
      entryPoints: opts.entries.map((e) => ({ in: e.file, out: e.name })),
      outdir,
      write: false,
      metafile: true,
      bundle: true,
      splitting: true,
      format: "esm",
      platform: "browser",
      target: opts.target,
      minify: !dev,
      sourcemap: dev ? "linked" : false,
      entryNames: "[name]-[hash]",
      chunkNames: "chunk-[hash]",
      jsx: "automatic",
      jsxImportSource: "preact",
      charset: "utf8",
      define: {
        "process.env.NODE_ENV": JSON.stringify(opts.mode),
      },
      logLevel: "silent",
      plugins: [importMapPlugin(opts.importMap, opts.root)],
    });
  } catch (err) {
    throw await toBuildError(err);
  } finally {
    if (--running === 0) await esbuild.stop();
  }
  if (result.warnings.length > 0) {
    const text = await esbuild.formatMessages(result.warnings, {
      kind: "warning",
      color: colorOutput(),
    });
    console.warn(text.join(""));
  }

  const metafile = result.metafile;
  const toName = (p: string) =>
    path.relative(outdir, path.resolve(opts.root, p)).split(path.sep).join(
      "/",
    );
  const files = result.outputFiles.map((f) => ({
    name: toName(f.path),
    contents: f.contents,
  }));
  // esbuild reports entry points relative to the root, through symlinks
  // resolved or not depending on the path: match both spellings.
  const byPath = new Map<string, string>();
  for (const e of opts.entries) {
    byPath.set(path.resolve(e.file), e.name);
    byPath.set(await Deno.realPath(e.file).catch(() => e.file), e.name);
  }
  const entries = new Map<string, BundledEntry>();
  for (const [key, out] of Object.entries(metafile.outputs)) {
    if (out.entryPoint === undefined) continue;
    const name = byPath.get(path.resolve(opts.root, out.entryPoint));
    if (name === undefined) continue;
    entries.set(name, {
      output: toName(key),
      imports: staticImports(metafile, key).map(toName),
      exports: out.exports,
    });
  }
  return { files, entries, metafile };
}

/**
 * Every output file an output imports statically, directly or through
 * other chunks, in breadth-first order (what a page should preload).
 *
 * @example
 * ```ts
 * declare const bundle: ClientBundle;
 * staticImports(bundle.metafile, "_fresh/js/Counter-X.js"); // ["_fresh/js/chunk-Y.js"]
 * ```
 */
export function staticImports(
  metafile: esbuild.Metafile,
  output: string,
): string[] {
  const seen = new Set<string>([output]);
  const queue = [output];
  const out: string[] = [];
  while (queue.length > 0) {
    const imports = metafile.outputs[queue.shift()!]?.imports ?? [];
    for (const imp of imports) {
      if (imp.kind !== "import-statement" || imp.external) continue;
      if (seen.has(imp.path)) continue;
      seen.add(imp.path);
      out.push(imp.path);
      queue.push(imp.path);
    }
  }
  return out;
}

async function toBuildError(err: unknown): Promise<Error> {
  const failure = err as Partial<esbuild.BuildFailure>;
  if (!Array.isArray(failure.errors) || failure.errors.length === 0) {
    return err instanceof Error ? err : new Error(String(err));
  }
  const text = await esbuild.formatMessages(failure.errors, {
    kind: "error",
    color: colorOutput(),
  });
  const n = failure.errors.length;
  return new BuildError(
    `Client build failed with ${n} error${n === 1 ? "" : "s"}:\n` +
      text.join(""),
  );
}

function colorOutput(): boolean {
  return !Deno.noColor && Deno.stderr.isTerminal();
}
