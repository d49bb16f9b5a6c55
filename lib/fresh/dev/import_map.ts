/**
 * Teaches esbuild Deno's module resolution for client code: the `imports`
 * of the project's `deno.json` (`"preact/hooks": "npm:preact@10.29.8/hooks"`,
 * `"fresh/runtime": "./lib/fresh/runtime/mod.ts"`) and `npm:` specifiers.
 *
 * npm packages resolve through the project's `node_modules/` (Deno's
 * `nodeModulesDir`), starting from the project root for every importer.
 * esbuild follows the symlinks there to real paths, so `preact` imported by
 * an island, by `@preact/signals` and by the boot module is one file and
 * lands in one shared chunk: islands share one Preact and one signals
 * runtime, which hooks and signals need to work at all.
 *
 * @module
 */
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import type { OnResolveResult, Plugin, ResolveResult } from "esbuild";

/** The `imports` of a Deno config file, with where they are relative to. */
export interface ImportMap {
  /** Specifier (or prefix ending in `/`) → target, as written. */
  imports: Record<string, string>;
  /** Folder of the config file: relative targets resolve against it. */
  baseDir: string;
}

/** The Deno config file names, in the order Deno looks for them. */
export const CONFIG_NAMES = ["deno.json", "deno.jsonc"];

/**
 * Finds the Deno config file in `root` or the nearest folder above it and
 * returns its import map (also following an `importMap` file reference).
 * No config file gives an empty map.
 *
 * @example
 * ```ts
 * const map = await loadImportMap("/app");
 * map.imports["preact"]; // "npm:preact@10.29.8"
 * ```
 */
export async function loadImportMap(root: string): Promise<ImportMap> {
  const found = await findDenoConfig(root);
  if (found === null) return { imports: {}, baseDir: root };
  const config = found.config as {
    imports?: Record<string, string>;
    importMap?: string;
  };
  const dir = path.dirname(found.file);
  if (config.imports === undefined && config.importMap !== undefined) {
    const mapFile = path.resolve(dir, config.importMap);
    const map = parseJsonc(await Deno.readTextFile(mapFile), mapFile) as {
      imports?: Record<string, string>;
    };
    return { imports: map.imports ?? {}, baseDir: path.dirname(mapFile) };
  }
  return { imports: config.imports ?? {}, baseDir: dir };
}

/**
 * The nearest `deno.json`/`deno.jsonc` at or above `root`, parsed; null when
 * there is none up to the file system's root.
 *
 * @example
 * ```ts
 * const found = await findDenoConfig(Deno.cwd());
 * found?.file; // "/app/deno.json"
 * ```
 */
export async function findDenoConfig(
  root: string,
): Promise<{ file: string; config: unknown } | null> {
  for (let dir = path.resolve(root);; dir = path.dirname(dir)) {
    for (const name of CONFIG_NAMES) {
      const file = path.join(dir, name);
      let text: string;
      try {
        text = await Deno.readTextFile(file);
      } catch (err) {
        if (err instanceof Deno.errors.NotFound) continue;
        throw err;
      }
      return { file, config: parseJsonc(text, file) };
    }
    if (path.dirname(dir) === dir) return null;
  }
}

/**
 * Parses JSON with comments and trailing commas (the `deno.jsonc` dialect).
 *
 * @example
 * ```ts
 * parseJsonc('{ "a": 1, // note\n }', "deno.jsonc"); // { a: 1 }
 * ```
 */
export function parseJsonc(text: string, file: string): unknown {
  // Blank out comments outside strings, then drop trailing commas.
  const stripped = text.replace(
    /("(?:[^"\\]|\\.)*")|\/\/[^\n]*|\/\*[\s\S]*?\*\//g,
    (m, str: string | undefined) => str ?? " ".repeat(m.length),
  ).replace(/("(?:[^"\\]|\\.)*")|,(\s*[}\]])/g, (_m, str, end) => str ?? end);
  try {
    return JSON.parse(stripped);
  } catch (err) {
    throw new Error(`${file}: invalid JSON: ${(err as Error).message}`);
  }
}

/**
 * Applies an import map to a specifier: an exact key wins, then the
 * longest key ending in `/` that prefixes it. Null when nothing matches.
 *
 * @example
 * ```ts
 * mapSpecifier({ imports: { "preact/": "npm:/preact@10/" }, baseDir: "/" }, "preact/debug");
 * // "npm:/preact@10/debug"
 * ```
 */
export function mapSpecifier(map: ImportMap, specifier: string): string | null {
  const exact = map.imports[specifier];
  if (exact !== undefined) return exact;
  let best: string | null = null;
  for (const key of Object.keys(map.imports)) {
    if (
      key.endsWith("/") && specifier.startsWith(key) &&
      (best === null || key.length > best.length)
    ) best = key;
  }
  return best === null
    ? null
    : map.imports[best] + specifier.slice(best.length);
}

/**
 * Turns an `npm:` specifier into the bare one Node resolution understands:
 * `npm:preact@10.29.8/hooks` and `npm:/preact@10.29.8/hooks` →
 * `preact/hooks`; `npm:@preact/signals@2` → `@preact/signals`.
 *
 * @example
 * ```ts
 * npmToBare("npm:@preact/signals@2.11.4"); // "@preact/signals"
 * ```
 */
export function npmToBare(specifier: string): string | null {
  const m = /^npm:\/?((?:@[^/@]+\/)?[^/@]+)(?:@[^/]*)?(\/.*)?$/.exec(
    specifier,
  );
  return m === null ? null : m[1] + (m[2] ?? "");
}

// Marks our own nested build.resolve() calls so the plugin lets esbuild's
// default resolver handle them instead of recursing.
const NESTED = Symbol("importMap.nested");

/**
 * The esbuild plugin: resolves specifiers of project code through the
 * import map, `npm:` specifiers through `node_modules/` from `root`, and
 * rejects what cannot run in a browser (`node:`, `jsr:`, remote URLs) with
 * a message naming the importer. Imports inside `node_modules` keep plain
 * Node resolution.
 *
 * @example
 * ```ts
 * import * as esbuild from "esbuild";
 * const root = Deno.cwd();
 * await esbuild.build({ plugins: [importMapPlugin(await loadImportMap(root), root)] });
 * ```
 */
export function importMapPlugin(map: ImportMap, root: string): Plugin {
  return {
    name: "fresh-import-map",
    setup(build) {
      build.onResolve({ filter: /.*/ }, async (args) => {
        if (args.pluginData?.[NESTED] || args.kind === "entry-point") {
          return undefined;
        }
        if (/[/\\]node_modules[/\\]/.test(args.importer)) return undefined;
        const mapped = mapSpecifier(map, args.path);
        const target = mapped ?? args.path;

        if (target.startsWith("npm:")) {
          const bare = npmToBare(target);
          if (bare === null) {
            return { errors: [{ text: `Invalid npm specifier "${target}"` }] };
          }
          const res = await build.resolve(bare, {
            kind: args.kind,
            importer: args.importer,
            resolveDir: root,
            pluginData: { [NESTED]: true },
          });
          if (res.errors.length > 0) {
            return {
              errors: [{
                text:
                  `Cannot find npm package "${bare}" (from "${args.path}") ` +
                  `in ${path.join(root, "node_modules")}; run \`deno install\``,
              }],
            };
          }
          return resolved(res);
        }
        if (/^(?:node|jsr|https?|bun):/.test(target)) {
          return {
            errors: [{
              text: `"${args.path}" cannot be bundled for the browser: ` +
                `client code (islands and what they import) may only use ` +
                `npm packages and local files`,
            }],
          };
        }
        if (target.startsWith("file:")) return { path: fileURLToPath(target) };
        if (mapped === null) return undefined;
        if (/^\.{0,2}\//.test(mapped)) {
          return { path: path.resolve(map.baseDir, mapped) };
        }
        // Mapped to another bare specifier: let esbuild resolve that.
        const res = await build.resolve(mapped, {
          kind: args.kind,
          importer: args.importer,
          resolveDir: root,
          pluginData: { [NESTED]: true },
        });
        return res.errors.length > 0 ? { errors: res.errors } : resolved(res);
      });
    },
  };
}

function resolved(res: ResolveResult): OnResolveResult {
  const { path, external, namespace, sideEffects, suffix } = res;
  return { path, external, namespace, sideEffects, suffix };
}
