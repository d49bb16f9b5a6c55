/**
 * The build cache of an in-memory build (development server and tests).
 *
 * An app compiles its handler once, with the cache it has at that moment,
 * so the development server cannot hand it a new cache after a rebuild.
 * Instead this one cache object is kept and its content swapped with
 * {@linkcode MemoryBuildCache.update}: the running handler sees the new
 * client files at once.
 *
 * @module
 */
import type {
  BuildCache,
  FsRouteFile,
  IslandInfo,
  StaticFile,
} from "../build_cache.ts";
import type { Encoding, PrecompressedFiles } from "../build_cache_prod.ts";
import type { BuiltFile } from "./static.ts";

/** The content of one build, as the cache serves it. */
export interface MemoryBuild {
  buildId: string;
  clientEntry: string;
  clientEntryImports: string[];
  islands: Map<unknown, IslandInfo>;
  files: BuiltFile[];
}

/**
 * A {@linkcode BuildCache} holding everything in memory.
 *
 * @example
 * ```ts
 * import { App, setBuildCache } from "../app.ts";
 * import type { FsRouteFile } from "../build_cache.ts";
 * declare const fsRoutes: FsRouteFile[];
 * declare function rebuild(): Promise<MemoryBuild>;
 * const app = new App();
 * const cache = new MemoryBuildCache("development", fsRoutes, await rebuild());
 * setBuildCache(app, cache);
 * // after a rebuild:
 * cache.update(await rebuild());
 * ```
 */
export class MemoryBuildCache implements BuildCache, PrecompressedFiles {
  readonly mode: "development" | "production";
  readonly fsRoutes: FsRouteFile[];
  #build!: MemoryBuild;
  #files = new Map<string, BuiltFile>();

  /**
   * @param mode development or production behaviour (caching headers)
   * @param fsRoutes the imported route modules
   * @param build the first build
   */
  constructor(
    mode: "development" | "production",
    fsRoutes: FsRouteFile[],
    build: MemoryBuild,
  ) {
    this.mode = mode;
    this.fsRoutes = fsRoutes;
    this.update(build);
  }

  /**
   * Replaces the served build with a newer one.
   *
   * @example
   * ```ts
   * declare const cache: MemoryBuildCache;
   * declare function rebuild(): Promise<MemoryBuild>;
   * cache.update(await rebuild());
   * ```
   */
  update(build: MemoryBuild): void {
    this.#build = build;
    this.#files = new Map(build.files.map((f) => [f.pathname, f]));
  }

  get buildId(): string {
    return this.#build.buildId;
  }
  get clientEntry(): string {
    return this.#build.clientEntry;
  }
  get clientEntryImports(): string[] {
    return this.#build.clientEntryImports;
  }
  get islands(): Map<unknown, IslandInfo> {
    return this.#build.islands;
  }

  /**
   * Whether the current build has a file at this URL path.
   *
   * @example
   * ```ts
   * declare const cache: MemoryBuildCache;
   * cache.hasStaticFile("/styles.css"); // true
   * ```
   */
  hasStaticFile(pathname: string): boolean {
    return this.#files.has(pathname);
  }

  /**
   * Looks up a file of the build by URL path. Lookups are by exact key, so
   * a request path can never reach outside the build.
   *
   * @example
   * ```ts
   * declare const cache: MemoryBuildCache;
   * const file = await cache.readStaticFile("/styles.css");
   * ```
   */
  readStaticFile(pathname: string): Promise<StaticFile | null> {
    const file = this.#files.get(pathname);
    return Promise.resolve(file === undefined ? null : toStatic(file, null));
  }

  /**
   * The precompressed copy of a file, null when there is none.
   *
   * @example
   * ```ts
   * declare const cache: MemoryBuildCache;
   * const file = await cache.readEncodedStaticFile("/styles.css", "br");
   * ```
   */
  readEncodedStaticFile(
    pathname: string,
    encoding: Encoding,
  ): Promise<StaticFile | null> {
    const file = this.#files.get(pathname);
    if (file?.encoded[encoding] === undefined) return Promise.resolve(null);
    return Promise.resolve(toStatic(file, encoding));
  }
}

function toStatic(file: BuiltFile, encoding: Encoding | null): StaticFile {
  const body = encoding === null ? file.contents : file.encoded[encoding]!;
  return {
    body,
    size: body.byteLength,
    contentType: file.contentType,
    hash: file.hash,
    immutable: file.immutable,
  };
}
