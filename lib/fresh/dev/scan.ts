/**
 * Finding the files a build is made of: route modules below `routes/` and
 * island modules below `islands/` or in `routes/**\/(_islands)/` folders,
 * plus the names islands are known by in page markup.
 *
 * @module
 */
import * as path from "node:path";

const MODULE_EXT = /\.(?:tsx?|jsx?)$/;
const TEST_FILE = /[._]test\.(?:tsx?|jsx?)$/;

/** The result of {@linkcode scanRoutes}. */
export interface RouteScan {
  /** Route modules, relative to the routes folder, `/`-separated, sorted. */
  routes: string[];
  /** Absolute paths of island modules found in `(_islands)` folders, sorted. */
  islands: string[];
}

/**
 * Lists the route modules below `routeDir`. Test files and everything in
 * `(_name)` folders are skipped; modules in `(_islands)` folders are
 * returned separately as islands. A missing folder yields empty lists.
 *
 * @example
 * ```ts
 * const { routes, islands } = await scanRoutes("/app/routes");
 * // routes: ["_app.tsx", "index.tsx", "blog/[slug].tsx"]
 * ```
 */
export async function scanRoutes(routeDir: string): Promise<RouteScan> {
  const routes: string[] = [];
  const islands: string[] = [];
  for await (const rel of walkModules(routeDir)) {
    const dirs = rel.split("/").slice(0, -1);
    const privateAt = dirs.findIndex((d) => /^\(_.*\)$/.test(d));
    if (privateAt === -1) routes.push(rel);
    else if (dirs[privateAt] === "(_islands)") {
      islands.push(path.join(routeDir, ...rel.split("/")));
    }
  }
  return { routes: routes.sort(), islands: islands.sort() };
}

/**
 * Lists the island modules below `islandDir` as absolute paths, sorted.
 * A missing folder yields an empty list.
 *
 * @example
 * ```ts
 * await scanIslands("/app/islands"); // ["/app/islands/Counter.tsx"]
 * ```
 */
export async function scanIslands(islandDir: string): Promise<string[]> {
  const out: string[] = [];
  for await (const rel of walkModules(islandDir)) {
    out.push(path.join(islandDir, ...rel.split("/")));
  }
  return out.sort();
}

/**
 * Yields the JS/TS modules below `dir` (not tests, not hidden entries) as
 * `/`-separated paths relative to it.
 *
 * @example
 * ```ts
 * for await (const rel of walkModules("/app/routes")) console.log(rel);
 * ```
 */
export async function* walkModules(dir: string): AsyncGenerator<string> {
  for await (const rel of walkFiles(dir)) {
    const name = rel.slice(rel.lastIndexOf("/") + 1);
    if (MODULE_EXT.test(name) && !TEST_FILE.test(name)) yield rel;
  }
}

/**
 * Yields every regular file below `dir` as a `/`-separated relative path,
 * skipping hidden folders (`.git`) but not hidden files (`.well-known/` is
 * a folder, but files like `.nojekyll` may be wanted). Symlinks to files
 * are followed; symlinks to folders are not, so loops cannot happen.
 *
 * @example
 * ```ts
 * for await (const rel of walkFiles("/app/static")) console.log(rel);
 * ```
 */
export async function* walkFiles(
  dir: string,
  prefix = "",
): AsyncGenerator<string> {
  let entries: Deno.DirEntry[];
  try {
    entries = await Array.fromAsync(Deno.readDir(dir));
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return;
    throw err;
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const rel = prefix + entry.name;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory) {
      const hidden = entry.name.startsWith(".") &&
        entry.name !== ".well-known";
      if (!hidden && entry.name !== "node_modules") {
        yield* walkFiles(full, rel + "/");
      }
    } else if (entry.isFile) {
      yield rel;
    } else if (entry.isSymlink) {
      const info = await Deno.stat(full).catch(() => null);
      if (info?.isFile) yield rel;
    }
  }
}

/** One island export before it is given a name. */
export interface IslandExport {
  /** Absolute path of the island module. */
  file: string;
  /** `default` or the export's name. */
  exportName: string;
}

/**
 * Gives every island export a unique name: the file name (`Counter`), with
 * the export appended for named exports (`Counter_Named`), and `_2`, `_3`…
 * on clashes. Names use only `[A-Za-z0-9_]`, so they are safe in an HTML
 * comment and a JS string, and they do not depend on the project's
 * location, so they are stable across builds. Pass exports in a stable
 * order (sorted files, `default` first).
 *
 * @example
 * ```ts
 * islandNames([{ file: "/a/islands/Counter.tsx", exportName: "default" }]);
 * // ["Counter"]
 * ```
 */
export function islandNames(exports: IslandExport[]): string[] {
  const taken = new Set<string>();
  return exports.map(({ file, exportName }) => {
    let base = path.basename(file).replace(MODULE_EXT, "");
    if (base === "index") base = path.basename(path.dirname(file));
    const raw = exportName === "default" ? base : `${base}_${exportName}`;
    let name = raw.replace(/[^A-Za-z0-9_]/g, "_");
    if (!/^[A-Za-z_]/.test(name)) name = "_" + name;
    let unique = name;
    for (let i = 2; taken.has(unique); i++) unique = `${name}_${i}`;
    taken.add(unique);
    return unique;
  });
}
