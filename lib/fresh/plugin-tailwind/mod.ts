/**
 * Tailwind CSS v4 for the Builder, compiled locally at build time (no CDN,
 * no run-time work): every CSS file of `static/` goes through Tailwind's
 * compiler, with the class candidates found in the project's sources, and
 * is minified in production.
 *
 * Sources are found the way Tailwind itself does: automatic detection from
 * the project root (everything not gitignored, not `node_modules`, not
 * binary), narrowed or extended by `@source` / `source(...)` in the CSS,
 * except that tests (`*_test.*`, `*.test.*`, `testdata/`, `tests/`) are
 * never scanned.
 *
 * @module
 */
import * as path from "node:path";
import { compile, optimize } from "@tailwindcss/node";
import { Scanner } from "@tailwindcss/oxide";
import type { Builder } from "../dev/mod.ts";

/** Options of {@linkcode tailwind}. */
export interface TailwindPluginOptions {
  /**
   * CSS files to leave alone: globs matched against the file's path in
   * the static folder (`/admin/**`, `*.temp.css`; a pattern without `/`
   * matches the file name) or regular expressions tested on the absolute
   * path.
   */
  exclude?: (string | RegExp)[];
  /** Minify the output. Default: in production builds only. */
  optimize?: boolean;
}

// tailwindcss's `Features.Utilities` (a const enum, so not importable).
const FEATURE_UTILITIES = 16;

// Tests and their fixtures mention classes no page uses; scanning them
// would only grow the stylesheet every page downloads.
const NOT_SOURCES = [
  "**/*_test.{ts,tsx,js,jsx,mts}",
  "**/*.test.{ts,tsx,js,jsx,mts}",
  "**/testdata/**",
  "tests/**",
];

/**
 * Registers Tailwind on the builder's CSS files.
 *
 * @example dev.ts
 * ```ts
 * import { Builder } from "fresh/dev";
 * import { tailwind } from "@fresh/plugin-tailwind";
 *
 * const builder = new Builder();
 * tailwind(builder);
 * ```
 */
export function tailwind(
  builder: Builder,
  options: TailwindPluginOptions = {},
): void {
  // Globs look at the path inside the static folder, RegExps at the full path.
  const excluded = (options.exclude ?? []).map((p) =>
    typeof p === "string"
      ? ((rel: string) => globToRegExp(p).test(rel))
      : ((_rel: string, abs: string) => p.test(abs))
  );
  builder.onTransformStaticFile(
    { pluginName: "tailwind", filter: /\.css$/ },
    async ({ path: file, text, mode }) => {
      const rel = "/" + path.relative(builder.config.staticDir, file)
        .split(path.sep).join("/");
      if (excluded.some((matches) => matches(rel, file))) return;
      const content = await compileTailwind(text, {
        file,
        root: builder.config.root,
        minify: options.optimize ?? mode === "production",
      });
      return { content };
    },
  );
}

/** Options of {@linkcode compileTailwind}. */
export interface CompileTailwindOptions {
  /** Absolute path of the CSS file (its `@import`s resolve from there). */
  file: string;
  /** Where automatic source detection starts. */
  root: string;
  minify: boolean;
}

/**
 * Compiles one stylesheet: resolves its imports (`@import "tailwindcss"`),
 * scans the sources for class candidates and generates the utilities used.
 * CSS without Tailwind directives comes back as it was (minified if asked).
 *
 * @example
 * ```ts
 * const css = await compileTailwind('@import "tailwindcss";', {
 *   file: "/app/static/styles.css", root: "/app", minify: true,
 * });
 * ```
 */
export async function compileTailwind(
  css: string,
  opts: CompileTailwindOptions,
): Promise<string> {
  const compiler = await compile(css, {
    base: path.dirname(opts.file),
    from: opts.file,
    onDependency: () => {},
  });
  let candidates: string[] = [];
  if (compiler.features & FEATURE_UTILITIES) {
    const sources = compiler.root === "none"
      ? []
      : compiler.root === null
      ? [{ base: opts.root, pattern: "**/*", negated: false }]
      : [{ ...compiler.root, negated: false }];
    const scanner = new Scanner({
      sources: [
        ...sources,
        ...compiler.sources,
        ...NOT_SOURCES.map((pattern) => ({
          base: opts.root,
          pattern,
          negated: true,
        })),
      ],
    });
    candidates = scanner.scan();
  }
  const out = compiler.build(candidates);
  return opts.minify
    ? optimize(out, { file: opts.file, minify: true }).code
    : out;
}

/**
 * A glob as a regular expression over `/`-separated paths: `**` spans
 * folders, `*` and `?` stay within one. A pattern without `/` matches the
 * last segment anywhere.
 *
 * @example
 * ```ts
 * globToRegExp("/admin/**").test("/admin/a/b.css"); // true
 * globToRegExp("*.temp.css").test("/x/y.temp.css"); // true
 * ```
 */
export function globToRegExp(glob: string): RegExp {
  let re = "";
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === "*" && glob[i + 1] === "*") {
      re += ".*";
      i++;
    } else if (c === "*") re += "[^/]*";
    else if (c === "?") re += "[^/]";
    else re += c.replace(/[.+^${}()|[\]\\]/g, "\\$&");
  }
  return new RegExp(glob.includes("/") ? `^${re}$` : `^(?:.*/)?${re}$`);
}
