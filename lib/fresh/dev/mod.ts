/**
 * `fresh/dev`: the Builder, which makes the production build (`_fresh/`),
 * in-memory builds for tests, and runs the development server.
 *
 * @example dev.ts
 * ```ts
 * import { Builder } from "fresh/dev";
 *
 * const builder = new Builder();
 * if (Deno.args.includes("build")) await builder.build();
 * else await builder.listen(() => import("./main.ts"));
 * ```
 *
 * @module
 */
export {
  type ApplySnapshot,
  Builder,
  type BuilderOptions,
  type BuildOptions,
  type ListenOptions,
} from "./builder.ts";
export type { BuilderConfig } from "./pipeline.ts";
export type { TransformArgs, TransformFn, TransformOptions } from "./static.ts";
export { BuildError } from "./esbuild.ts";
