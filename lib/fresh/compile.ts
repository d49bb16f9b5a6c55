/**
 * Compiling an app's ordered commands into a route table: which
 * middlewares, layouts, app wrapper and error handler each route gets, and
 * what a request no route matches runs.
 *
 * @module
 */
import type { BuildCache } from "./build_cache.ts";
import type { RenderScope } from "./context.ts";
import { expandFsRoutes } from "./fs_routes.ts";
import { Router, scopeCoversPath, scopeCoversPattern } from "./router.ts";
import type { AnyComponent, LayoutConfig, Middleware, Route } from "./types.ts";

/** @internal One step of the app definition, in the order it was added. */
export type Command<State> =
  | { kind: "middleware"; scope: string; fns: Middleware<State>[] }
  | {
    kind: "layout";
    scope: string;
    // deno-lint-ignore no-explicit-any
    component: AnyComponent<any>;
    config: LayoutConfig;
  }
  | { kind: "error"; scope: string; fn: Middleware<State> }
  | { kind: "notFound"; fn: Middleware<State> }
  // deno-lint-ignore no-explicit-any
  | { kind: "app"; component: AnyComponent<any> }
  | {
    kind: "route";
    method: string;
    pattern: string;
    route: Route<State>;
    fns: Middleware<State>[];
    /** Folder-scoped parts of a file route (folders may be URL-less groups). */
    folder?: FolderScope<State>;
  }
  | { kind: "fsRoutes"; prefix: string };

/** @internal What the folders around a file route add to it, root first. */
export interface FolderScope<State> {
  middlewares: Middleware<State>[];
  // deno-lint-ignore no-explicit-any
  layouts: { component: AnyComponent<any>; config: LayoutConfig }[];
  error: Middleware<State> | null;
}

/** @internal A route ready to run: its middlewares and render scope. */
export interface CompiledRoute<State> {
  pattern: string;
  middlewares: Middleware<State>[];
  route: Route<State>;
  /** Index in `middlewares` where the route's own handlers begin. */
  handlerStart: number;
  scope: RenderScope;
  errorHandler: ErrorTarget<State> | null;
}

/** @internal Where an error below some scope goes. */
export interface ErrorTarget<State> {
  fn: Middleware<State>;
  scope: RenderScope;
}

/** @internal What a request without a matching route runs. */
export interface Fallback<State> {
  scoped: { scope: string; fns: Middleware<State>[] }[];
  notFound: ErrorTarget<State> | null;
  /** Every error handler, for errors of requests no route answers. */
  errors: { scope: string; depth: number; target: ErrorTarget<State> }[];
}

export function expandCommands<State>(
  commands: Command<State>[],
  cache: BuildCache | null,
): Command<State>[] {
  const out: Command<State>[] = [];
  for (const cmd of commands) {
    if (cmd.kind !== "fsRoutes") out.push(cmd);
    else if (cache !== null) {
      out.push(...expandFsRoutes<State>(cache.fsRoutes, cmd.prefix));
    } else {
      console.warn(
        "fsRoutes(): this app has no build, so routes/ is not served. Start it through the Builder (dev.ts) or the built _fresh/server.js.",
      );
    }
  }
  return out;
}

interface Scoped<State> {
  middlewares: { scope: string; fns: Middleware<State>[] }[];
  layouts: {
    scope: string;
    // deno-lint-ignore no-explicit-any
    component: AnyComponent<any>;
    config: LayoutConfig;
  }[];
  errors: { scope: string; fn: Middleware<State> }[];
  // deno-lint-ignore no-explicit-any
  app: AnyComponent<any> | null;
}

export function compile<State>(commands: Command<State>[]): {
  router: Router<CompiledRoute<State>>;
  fallback: Fallback<State>;
} {
  const router = new Router<CompiledRoute<State>>();
  const scoped: Scoped<State> = {
    middlewares: [],
    layouts: [],
    errors: [],
    app: null,
  };
  let notFound: Middleware<State> | null = null;

  for (const cmd of commands) {
    switch (cmd.kind) {
      case "middleware":
        scoped.middlewares.push({ scope: cmd.scope, fns: cmd.fns });
        break;
      case "layout":
        scoped.layouts.push(cmd);
        break;
      case "error":
        scoped.errors.push(cmd);
        break;
      case "app":
        scoped.app = cmd.component;
        break;
      case "notFound":
        notFound = cmd.fn;
        break;
      case "route":
        router.add(cmd.method, cmd.pattern, compileRoute(cmd, scoped));
        break;
    }
  }

  const rootScope = scopeFor("/", undefined, scoped);
  return {
    router,
    fallback: {
      scoped: scoped.middlewares,
      notFound: notFound === null ? null : { fn: notFound, scope: rootScope },
      errors: scoped.errors.map((e) => ({
        scope: e.scope,
        depth: scopeDepth(e.scope),
        target: { fn: e.fn, scope: scopeFor(e.scope, undefined, scoped) },
      })),
    },
  };
}

function compileRoute<State>(
  cmd: Extract<Command<State>, { kind: "route" }>,
  scoped: Scoped<State>,
): CompiledRoute<State> {
  const middlewares = scoped.middlewares
    .filter((m) => scopeCoversPattern(m.scope, cmd.pattern))
    .flatMap((m) => m.fns)
    .concat(cmd.folder?.middlewares ?? []);
  const handlerStart = middlewares.length;
  // Handlers of app.get() and friends are the end of the chain.
  middlewares.push(...cmd.fns);
  const scope = scopeFor(
    cmd.pattern,
    cmd.route.config,
    scoped,
    cmd.folder?.layouts,
  );
  const errorFn = cmd.folder?.error ?? nearestError(cmd.pattern, scoped);
  return {
    pattern: cmd.pattern,
    middlewares,
    route: cmd.route,
    handlerStart,
    scope,
    errorHandler: errorFn === null ? null : { fn: errorFn, scope },
  };
}

function scopeFor<State>(
  pattern: string,
  config:
    | { skipInheritedLayouts?: boolean; skipAppWrapper?: boolean }
    | undefined,
  scoped: Scoped<State>,
  folderLayouts: FolderScope<State>["layouts"] = [],
): RenderScope {
  // deno-lint-ignore no-explicit-any
  let layouts: AnyComponent<any>[] = [];
  let skipApp = config?.skipAppWrapper === true;
  if (config?.skipInheritedLayouts !== true) {
    const applicable: FolderScope<State>["layouts"] = scoped.layouts
      .filter((l) => scopeCoversPattern(l.scope, pattern));
    applicable.push(...folderLayouts);
    for (const l of applicable) {
      if (l.config.skipInheritedLayouts) layouts = [];
      if (l.config.skipAppWrapper) skipApp = true;
      layouts.push(l.component);
    }
  }
  return { layouts, app: skipApp ? null : scoped.app };
}

function nearestError<State>(
  pattern: string,
  scoped: Scoped<State>,
): Middleware<State> | null {
  let best: { scope: string; fn: Middleware<State> } | null = null;
  let bestDepth = -1;
  for (const e of scoped.errors) {
    if (!scopeCoversPattern(e.scope, pattern)) continue;
    const depth = scopeDepth(e.scope);
    if (depth >= bestDepth) {
      best = e;
      bestDepth = depth;
    }
  }
  return best?.fn ?? null;
}

function scopeDepth(scope: string): number {
  return scope.split("/").filter((p) => p !== "" && p !== "*").length;
}

/**
 * The nearest error handler for a request no route answered (or one whose
 * route has none): by its path, the deepest scope wins, later on a tie.
 */
export function errorForPath<State>(
  fallback: Fallback<State>,
  path: readonly string[],
): ErrorTarget<State> | null {
  let best: ErrorTarget<State> | null = null;
  let bestDepth = -1;
  for (const e of fallback.errors) {
    if (e.depth >= bestDepth && scopeCoversPath(e.scope, path)) {
      best = e.target;
      bestDepth = e.depth;
    }
  }
  return best;
}

export function fallbackChain<State>(
  fallback: Fallback<State>,
  path: string[],
): Middleware<State>[] {
  const out: Middleware<State>[] = [];
  for (const m of fallback.scoped) {
    if (scopeCoversPath(m.scope, path)) out.push(...m.fns);
  }
  return out;
}
