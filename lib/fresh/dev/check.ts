/**
 * Checks of the project's Deno compiler options that a build depends on,
 * made before building, as upstream Fresh's Builder makes them.
 *
 * @module
 */
import * as path from "node:path";
import { CONFIG_NAMES, parseJsonc } from "./import_map.ts";

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
      const options = (parseJsonc(text, file) as {
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
          } (in ${file})`,
        );
      }
      return;
    }
    if (path.dirname(dir) === dir) return;
  }
}
