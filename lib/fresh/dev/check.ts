/**
 * Checks of the project's Deno compiler options that a build depends on,
 * made before building, as upstream Fresh's Builder makes them.
 *
 * @module
 */
import { findDenoConfig } from "./import_map.ts";

/**
 * Elements the renderer must see as vnodes: with `"jsx": "precompile"`,
 * Deno turns other elements into HTML strings no render hook sees. Links
 * (`a`) get `aria-current`, `img`/`source` asset URLs, and `html`, `head`,
 * `body` the document parts. The same list upstream Fresh 2 requires.
 */
export const REQUIRED_SKIP_ELEMENTS: readonly string[] = [
  "a",
  "img",
  "source",
  "body",
  "html",
  "head",
];

/**
 * Throws when the nearest `deno.json`/`deno.jsonc` above `root` sets
 * `"jsx": "precompile"` with a `jsxPrecompileSkipElements` list lacking
 * any of {@linkcode REQUIRED_SKIP_ELEMENTS}. Other settings pass.
 *
 * @example
 * ```ts
 * await checkCompilerOptions(Deno.cwd()); // throws on a bad deno.json
 * ```
 */
export async function checkCompilerOptions(root: string): Promise<void> {
  const found = await findDenoConfig(root);
  if (found === null) return;
  const options = (found.config as {
    compilerOptions?: { jsx?: string; jsxPrecompileSkipElements?: unknown };
  }).compilerOptions;
  if (options?.jsx !== "precompile") return;
  const skipped = Array.isArray(options.jsxPrecompileSkipElements)
    ? options.jsxPrecompileSkipElements
    : [];
  if (REQUIRED_SKIP_ELEMENTS.some((el) => !skipped.includes(el))) {
    throw new Error(
      `Expected option compilerOptions > jsxPrecompileSkipElements to contain ${
        REQUIRED_SKIP_ELEMENTS.map((el) => `"${el}"`).join(", ")
      } (in ${found.file})`,
    );
  }
}
