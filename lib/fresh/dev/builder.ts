/**
 * The Builder: production builds into `_fresh/`, in-memory builds for
 * tests, and the development server that rebuilds the client on change.
 *
 * @module
 */
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import { type App, setBuildCache } from "../app.ts";
import type { FsRouteFile, IslandInfo } from "../build_cache.ts";
import { MemoryBuildCache } from "./memory_cache.ts";
import { type BuilderConfig, type BuildOutput, runBuild } from "./pipeline.ts";
import type {
  StaticTransformer,
  TransformFn,
  TransformOptions,
} from "./static.ts";
import { watchAndRebuild } from "./watch.ts";
import { writeBuild } from "./write.ts";

/** Options of `new Builder()`; relative paths resolve against `root`. */
export interface BuilderOptions {
  /** Project root. Default: the current directory. */
  root?: string;
  /** Module exporting `app`. Default: `main.ts`. */
  serverEntry?: string;
  /** Production build output. Default: `_fresh`. */
  outDir?: string;
  /** Default: `static`. */
  staticDir?: string;
  /** Default: `islands`. */
  islandDir?: string;
  /** Default: `routes`. */
  routeDir?: string;
  /** esbuild target for client code. Default: Chrome/Firefox 99, Safari 15. */
  target?: string | string[];
}

/** Options of {@linkcode Builder.build}. */
export interface BuildOptions {
  /** `disk` (default) writes `_fresh/`; `memory` returns an apply function. */
  snapshot?: "disk" | "memory";
  /** Default: production. */
  mode?: "development" | "production";
}

/** Options of {@linkcode Builder.listen}, passed on to `app.listen()`. */
export type ListenOptions = Partial<Deno.ServeTcpOptions> & {
  onListen?: (addr: Deno.NetAddr) => void;
};

/** Applies an in-memory build to an app instance. */
// deno-lint-ignore no-explicit-any
export type ApplySnapshot = (app: App<any>) => void;

const DEFAULT_TARGET = ["chrome99", "firefox99", "safari15"];

/**
 * Builds a Fresh project.
 *
 * @example dev.ts
 * ```ts
 * import { Builder } from "fresh/dev";
 * import { tailwind } from "@fresh/plugin-tailwind";
 *
 * const builder = new Builder();
 * tailwind(builder);
 * if (Deno.args.includes("build")) await builder.build();
 * else await builder.listen(() => import("./main.ts"));
 * ```
 */
// `_State` only mirrors upstream's `new Builder<State>()` signature.
export class Builder<_State = unknown> {
  /** Resolved options; `mode` follows the latest build or server. */
  readonly config: BuilderConfig;
  #transformers: StaticTransformer[] = [];

  /**
   * @example
   * ```ts
   * const builder = new Builder({ root: "./my-app", target: "es2022" });
   * ```
   */
  constructor(options: BuilderOptions = {}) {
    const root = path.resolve(options.root ?? Deno.cwd());
    const at = (p: string | undefined, fallback: string) =>
      path.resolve(root, p ?? fallback);
    this.config = {
      root,
      serverEntry: at(options.serverEntry, "main.ts"),
      outDir: at(options.outDir, "_fresh"),
      staticDir: at(options.staticDir, "static"),
      islandDir: at(options.islandDir, "islands"),
      routeDir: at(options.routeDir, "routes"),
      target: options.target ?? DEFAULT_TARGET,
      mode: "production",
    };
  }

  /**
   * Registers a transform for files of the static folder whose absolute
   * path matches `filter`. Transforms run in registration order at every
   * build; returning nothing keeps the content.
   *
   * @example
   * ```ts
   * const builder = new Builder();
   * builder.onTransformStaticFile(
   *   { pluginName: "banner", filter: /\.css$/ },
   *   ({ text }) => ({ content: `/* built *\/\n${text}` }),
   * );
   * ```
   */
  onTransformStaticFile(options: TransformOptions, fn: TransformFn): void {
    this.#transformers.push({ ...options, fn });
  }

  /**
   * Builds the project. By default a production build written to
   * `_fresh/` (serve it with `deno serve -A _fresh/server.js`); with
   * `snapshot: "memory"` nothing is written and the returned function
   * applies the build to an app (for tests).
   *
   * @example
   * ```ts
   * import type { App } from "../app.ts";
   * const root = Deno.cwd(); // a project: main.ts, routes/, islands/, static/
   * const apply = await new Builder({ root }).build({ snapshot: "memory" });
   * const { app }: { app: App<unknown> } = await import(`${root}/main.ts`);
   * apply(app);
   * const res = await app.handler()(new Request("http://localhost/"));
   * ```
   */
  async build(
    options: BuildOptions & { snapshot: "memory" },
  ): Promise<ApplySnapshot>;
  async build(options?: BuildOptions): Promise<void>;
  async build(options: BuildOptions = {}): Promise<ApplySnapshot | void> {
    const mode = options.mode ?? "production";
    this.config.mode = mode;
    const start = performance.now();
    const out = await runBuild(this.config, this.#transformers, mode);
    if (options.snapshot === "memory") {
      const cache = new MemoryBuildCache(
        mode,
        await importRoutes(this.config, out.routes),
        await memoryBuild(out),
      );
      return (app) => {
        app.config.mode = mode;
        setBuildCache(app, cache);
      };
    }
    await writeBuild(this.config, out);
    const ms = Math.round(performance.now() - start);
    const rel = path.relative(Deno.cwd(), this.config.outDir) || ".";
    const islandFiles = new Set(out.islands.map((i) => i.file)).size;
    console.log(
      `Built ${count(out.routes.length, "route")}, ${
        count(islandFiles, "island module")
      } and ${count(out.files.length, "file")} into ${rel}/ in ${ms} ms`,
    );
  }

  /**
   * Development server: builds in memory, imports the app, serves it on
   * `options.hostname` and `options.port` (as `app.listen()` does: without
   * a port, the first free one from 8000) and rebuilds the client and static files when islands/,
   * static/, components/ or routes/ change. Server code changes need a
   * restart, which `deno run --watch` (the `dev` task) does.
   *
   * @example
   * ```ts
   * await new Builder().listen(() => import("./main.ts"));
   * ```
   */
  async listen(
    // deno-lint-ignore no-explicit-any
    importApp: () => Promise<{ app?: App<any>; default?: App<any> }>,
    options: ListenOptions = {},
  ): Promise<void> {
    const mode = "development";
    this.config.mode = mode;
    const out = await runBuild(this.config, this.#transformers, mode);
    const mod = await importApp();
    const app = mod.app ?? mod.default;
    if (app === undefined || typeof app.handler !== "function") {
      throw new Error(
        `${this.config.serverEntry} must export the app: export const app = new App()`,
      );
    }
    const cache = new MemoryBuildCache(
      mode,
      await importRoutes(this.config, out.routes),
      await memoryBuild(out),
    );
    app.config.mode = mode;
    setBuildCache(app, cache);

    const watcher = watchAndRebuild(
      [
        this.config.islandDir,
        this.config.staticDir,
        path.join(this.config.root, "components"),
        this.config.routeDir,
      ],
      [this.config.outDir],
      async () => {
        const next = await runBuild(this.config, this.#transformers, mode);
        cache.update(await memoryBuild(next));
        console.log(`Rebuilt client and static files (${next.buildId})`);
      },
    );
    try {
      await app.listen(options);
    } finally {
      watcher.close();
    }
  }
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? "" : "s"}`;
}

async function importRoutes(
  config: BuilderConfig,
  routes: string[],
): Promise<FsRouteFile[]> {
  return await Promise.all(routes.map(async (rel) => ({
    path: rel,
    mod: await import(
      pathToFileURL(path.join(config.routeDir, ...rel.split("/"))).href
    ),
  })));
}

/** Imports the island modules and pairs each exported function with its info. */
async function memoryBuild(out: BuildOutput) {
  const modules = new Map<string, Record<string, unknown>>();
  for (const file of new Set(out.islands.map((i) => i.file))) {
    modules.set(file, await import(pathToFileURL(file).href));
  }
  const islands = new Map<unknown, IslandInfo>();
  for (const island of out.islands) {
    const fn = modules.get(island.file)?.[island.exportName];
    if (typeof fn !== "function" || islands.has(fn)) continue;
    islands.set(fn, {
      name: island.name,
      exportName: island.exportName,
      file: island.chunk,
      imports: island.imports,
    });
  }
  return {
    buildId: out.buildId,
    clientEntry: out.clientEntry,
    clientEntryImports: out.clientEntryImports,
    islands,
    files: out.files,
  };
}
