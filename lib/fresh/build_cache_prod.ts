/**
 * The build cache of a production build: what `_fresh/server.js` (written
 * by the Builder) gives the app. It reads the build description
 * (`_fresh/snapshot.json`) and serves files from `_fresh/static/`, which
 * holds the project's static files (after transforms such as Tailwind) and
 * the client bundle, with precompressed `.br`/`.gz` copies of text files.
 *
 * This module is loaded in production: it must not import the Builder,
 * esbuild or anything else only needed at build time.
 *
 * @module
 */
import type {
  BuildCache,
  FsRouteFile,
  IslandInfo,
  StaticFile,
} from "./build_cache.ts";

/** Content encodings a build precompresses files with. */
export type Encoding = "br" | "gzip";

/** A static file as `snapshot.json` describes it. */
export interface SnapshotFile {
  hash: string;
  size: number;
  contentType: string;
  immutable: boolean;
  /** Sizes of the precompressed copies next to it (`<file>.br`, `<file>.gz`). */
  encodings: Partial<Record<Encoding, number>>;
}

/** One island export as `snapshot.json` describes it. */
export interface SnapshotIsland {
  /** Island module, relative to the project root, `/`-separated. */
  file: string;
  exportName: string;
  name: string;
  /** URL of the client chunk. */
  chunk: string;
  /** URLs of the chunks it imports. */
  imports: string[];
}

/** The content of `_fresh/snapshot.json`. */
export interface Snapshot {
  version: 1;
  buildId: string;
  clientEntry: string;
  clientEntryImports: string[];
  islands: SnapshotIsland[];
  /** Route modules, relative to the routes folder. */
  routes: string[];
  /** URL path (`/styles.css`) → file below the static output folder. */
  staticFiles: Record<string, SnapshotFile>;
}

/**
 * Optional capability of a build cache: reading a precompressed copy of a
 * static file. `staticFiles()` uses it when the client accepts the encoding.
 */
export interface PrecompressedFiles {
  /** The `encoding` copy of the file at `pathname`, null when there is none. */
  readEncodedStaticFile(
    pathname: string,
    encoding: Encoding,
  ): Promise<StaticFile | null>;
}

/** Files up to this size are kept in memory after their first read. */
const MEMORY_LIMIT = 512 * 1024;
const SUFFIX: Record<Encoding, string> = { br: ".br", gzip: ".gz" };

/**
 * A {@linkcode BuildCache} over a production build folder.
 *
 * @example
 * ```ts
 * // What the generated _fresh/server.js does:
 * import { App, setBuildCache } from "./app.ts";
 * declare const app: App<unknown>;
 * declare const snapshot: Snapshot; // import snapshot from "./snapshot.json" with { type: "json" };
 * declare const Counter: Record<string, unknown>; // import * as Counter from "../islands/Counter.tsx";
 * declare const index: Record<string, unknown>; // import * as index from "../routes/index.tsx";
 * const cache = new ProdBuildCache(snapshot, new URL("./static/", import.meta.url), {
 *   islands: { "islands/Counter.tsx": Counter },
 *   routes: { "index.tsx": index },
 * });
 * setBuildCache(app, cache);
 * ```
 */
export class ProdBuildCache implements BuildCache, PrecompressedFiles {
  readonly buildId: string;
  readonly mode = "production" as const;
  readonly clientEntry: string;
  readonly clientEntryImports: string[];
  readonly islands = new Map<unknown, IslandInfo>();
  readonly fsRoutes: FsRouteFile[];
  #files: Map<string, SnapshotFile>;
  #dir: URL;
  #memory = new Map<string, Uint8Array>();

  /**
   * @param snapshot the parsed `snapshot.json`
   * @param staticDir URL of the folder holding the built static files
   * @param modules the imported island and route modules, keyed like the snapshot
   */
  constructor(
    snapshot: Snapshot,
    staticDir: URL,
    modules: {
      islands: Record<string, Record<string, unknown>>;
      routes: Record<string, Record<string, unknown>>;
    },
  ) {
    if (snapshot.version !== 1) {
      throw new Error(
        `Unsupported _fresh/snapshot.json version ${snapshot.version}; rebuild with \`deno task build\``,
      );
    }
    this.buildId = snapshot.buildId;
    this.clientEntry = snapshot.clientEntry;
    this.clientEntryImports = snapshot.clientEntryImports;
    this.#dir = staticDir.href.endsWith("/")
      ? staticDir
      : new URL(staticDir.href + "/");
    for (const island of snapshot.islands) {
      const fn = modules.islands[island.file]?.[island.exportName];
      // Only functions are components; other exports were bundled but are
      // not islands. The same function exported twice keeps its first name.
      if (typeof fn !== "function" || this.islands.has(fn)) continue;
      this.islands.set(fn, {
        name: island.name,
        exportName: island.exportName,
        file: island.chunk,
        imports: island.imports,
      });
    }
    this.fsRoutes = snapshot.routes.map((path) => {
      const mod = modules.routes[path];
      if (mod === undefined) throw new Error(`Route module ${path} missing`);
      return { path, mod };
    });
    this.#files = new Map(Object.entries(snapshot.staticFiles));
  }

  /**
   * Whether the snapshot lists a file at this URL path.
   *
   * @example
   * ```ts
   * declare const cache: ProdBuildCache;
   * cache.hasStaticFile("/styles.css"); // true
   * ```
   */
  hasStaticFile(pathname: string): boolean {
    return this.#files.has(pathname);
  }

  /**
   * Reads a built or static file by URL path; null when the build has none.
   * Only paths listed in the snapshot are ever read, so no request path can
   * reach a file outside the build folder.
   *
   * @example
   * ```ts
   * declare const cache: ProdBuildCache;
   * const file = await cache.readStaticFile("/styles.css");
   * ```
   */
  readStaticFile(pathname: string): Promise<StaticFile | null> {
    const meta = this.#files.get(pathname);
    if (meta === undefined) return Promise.resolve(null);
    return this.#read(pathname, meta, meta.size, "");
  }

  /**
   * Reads the precompressed copy of a file; null when there is none.
   *
   * @example
   * ```ts
   * declare const cache: ProdBuildCache;
   * const file = await cache.readEncodedStaticFile("/_fresh/js/ID/Counter-X.js", "br");
   * ```
   */
  readEncodedStaticFile(
    pathname: string,
    encoding: Encoding,
  ): Promise<StaticFile | null> {
    const meta = this.#files.get(pathname);
    const size = meta?.encodings[encoding];
    if (meta === undefined || size === undefined) return Promise.resolve(null);
    return this.#read(pathname, meta, size, SUFFIX[encoding]);
  }

  async #read(
    pathname: string,
    meta: SnapshotFile,
    size: number,
    suffix: string,
  ): Promise<StaticFile | null> {
    const key = pathname + suffix;
    const url = new URL("." + encodePath(key), this.#dir);
    const base = {
      contentType: meta.contentType,
      hash: meta.hash,
      immutable: meta.immutable,
    };
    const cached = this.#memory.get(key);
    if (cached !== undefined) {
      return { ...base, body: cached, size: cached.byteLength };
    }
    try {
      if (size > MEMORY_LIMIT) {
        const file = await Deno.open(url);
        return { ...base, body: file.readable, size };
      }
      const bytes = await Deno.readFile(url);
      this.#memory.set(key, bytes);
      return { ...base, body: bytes, size: bytes.byteLength };
    } catch (err) {
      // Deleted from _fresh/ after the build: a 404, not a 500.
      if (err instanceof Deno.errors.NotFound) return null;
      throw err;
    }
  }
}

// Snapshot keys are decoded URL paths; file names may hold `%`, `#`, `?`.
function encodePath(pathname: string): string {
  return pathname.split("/").map(encodeURIComponent).join("/");
}
