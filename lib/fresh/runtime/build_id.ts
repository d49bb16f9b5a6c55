/**
 * The current build id, read by `asset()`. Set by the server renderer; in
 * the browser it stays empty and `asset()` returns paths unchanged (the
 * server already rendered the cache-busted URLs).
 *
 * @module
 */
let buildId = "";

/**
 * Records the build id of the page being rendered.
 *
 * @example
 * ```ts
 * setBuildId("3f2a9c");
 * ```
 */
export function setBuildId(id: string): void {
  buildId = id;
}

/**
 * The build id of the page being rendered, "" outside a render.
 *
 * @example
 * ```ts
 * getBuildId(); // "3f2a9c"
 * ```
 */
export function getBuildId(): string {
  return buildId;
}
