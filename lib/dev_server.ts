/**
 * Whether this process is the development server (`deno task dev`):
 * `dev.ts` says so before it imports the app, so `main.ts` can leave the
 * start-up lines that need the served address to `dev.ts`, which learns it
 * only once it listens (it takes the next free port when 8000 is busy).
 * Requests read Fresh's `ctx.config.mode` instead.
 *
 * @module
 */

let devServer = false;

/**
 * Marks this process as the development server (dev.ts, once).
 *
 * @example
 * ```ts
 * markDevServer();
 * isDevServer(); // true
 * ```
 */
export function markDevServer(): void {
  devServer = true;
}

/**
 * Whether {@linkcode markDevServer} was called in this process.
 *
 * @example
 * ```ts
 * if (!isDevServer()) console.log("production start-up line");
 * ```
 */
export function isDevServer(): boolean {
  return devServer;
}
