/**
 * The build cache is what a build hands to an {@linkcode App}: the file
 * routes, the islands and how the browser loads them, and the static files.
 * The Builder produces one (in memory for development and tests, from
 * `_fresh/` in production); the app only ever reads it.
 *
 * @module
 */

/** How the browser loads one island component. */
export interface IslandInfo {
  /** Unique name used in the page markup, e.g. `ThemeToggle`. */
  name: string;
  /** Export of the client chunk holding the component (`default` or a name). */
  exportName: string;
  /** URL of the client chunk, e.g. `/_fresh/js/<BUILD_ID>/ThemeToggle-HASH.js`. */
  file: string;
  /** URLs of the chunks that chunk imports (preloaded with it). */
  imports: string[];
}

/** One file below `routes/` and the module it exports. */
export interface FsRouteFile {
  /** Path relative to the routes folder, `/`-separated: `blog/[slug].tsx`. */
  path: string;
  /** The imported module (handler, default component, config, ...). */
  mod: Record<string, unknown>;
}

/** A static file ready to be served. */
export interface StaticFile {
  body: Uint8Array | ReadableStream<Uint8Array>;
  size: number;
  contentType: string;
  /** Content hash, used as a weak ETag. */
  hash: string;
  /** Content-addressed build output: cacheable forever. */
  immutable: boolean;
}

/** Everything a build gives an app. */
export interface BuildCache {
  readonly buildId: string;
  readonly mode: "development" | "production";
  /** URL of the client boot module that hydrates islands. */
  readonly clientEntry: string;
  /** URLs the boot module imports (shared chunks: Preact, signals). */
  readonly clientEntryImports: string[];
  /** Island component (the function itself) → how to load it. */
  readonly islands: Map<unknown, IslandInfo>;
  /** Route files, in no particular order. */
  readonly fsRoutes: FsRouteFile[];
  /**
   * Whether the build has a static or built file at a URL path, without
   * reading it. Synchronous, so the common case of a request that is not
   * for a file costs `staticFiles()` no await.
   */
  hasStaticFile(pathname: string): boolean;
  /** Looks up a static or built file by URL path (`/styles.css`); null when absent. */
  readStaticFile(pathname: string): Promise<StaticFile | null>;
}
