/**
 * Turns the files of `routes/` into app commands: pages and handlers,
 * `_app`, `_layout`, `_middleware`, `_error`/`_500` and `_404`, with route
 * groups `(name)/` and ignored folders `(_name)/`.
 *
 * @module
 */
import type { Command, FolderScope } from "./compile.ts";
import type { FsRouteFile } from "./build_cache.ts";
import type { Context } from "./context.ts";
import { HttpError } from "./error.ts";
import type {
  AnyComponent,
  LayoutConfig,
  Method,
  Middleware,
  Route,
  RouteConfig,
} from "./types.ts";

interface Folder<State> {
  middlewares: Middleware<State>[];
  // deno-lint-ignore no-explicit-any
  layout: { component: AnyComponent<any>; config: LayoutConfig } | null;
  error: Route<State> | null;
}

const EXT = /\.(tsx|ts|jsx|js|mts|mjs)$/;

/**
 * Whether a path below `routes/` is a route file at all (tests and files
 * in `(_name)` folders are not).
 *
 * @example
 * ```ts
 * isRouteFile("blog/[slug].tsx"); // true
 * isRouteFile("(_islands)/Like.tsx"); // false
 * ```
 */
export function isRouteFile(path: string): boolean {
  if (!EXT.test(path)) return false;
  // `foo_test.ts` and `foo.test.ts` are tests; `test.tsx` is the /test route.
  if (/[._]test\.[a-z]+$/.test(path.split("/").pop()!)) return false;
  return !path.split("/").some((p) => p.startsWith("(_"));
}

/**
 * The URL pattern of a route file: `blog/[slug].tsx` → `/blog/:slug`,
 * `[[lang]]/index.tsx` → `/:lang?`, `docs/[...path].tsx` → `/docs/:path*`.
 *
 * @example
 * ```ts
 * filePathToPattern("(marketing)/about.tsx"); // "/about"
 * ```
 */
export function filePathToPattern(path: string): string {
  const parts = path.replace(EXT, "").split("/");
  if (parts[parts.length - 1] === "index") parts.pop();
  const out: string[] = [];
  for (const part of parts) {
    if (part.startsWith("(") && part.endsWith(")")) continue;
    let m = part.match(/^\[\[([A-Za-z_$][\w$]*)\]\]$/);
    if (m) {
      out.push(`:${m[1]}?`);
      continue;
    }
    m = part.match(/^\[\.\.\.([A-Za-z_$][\w$]*)\]$/);
    if (m) {
      out.push(`:${m[1]}*`);
      continue;
    }
    m = part.match(/^\[([A-Za-z_$][\w$]*)\]$/);
    out.push(m ? `:${m[1]}` : part);
  }
  return "/" + out.join("/");
}

/**
 * Expands route files into commands, as if each had been added by hand at
 * the point where `fsRoutes(prefix)` was called.
 *
 * @example
 * ```ts
 * import type { BuildCache } from "./build_cache.ts";
 * declare const cache: BuildCache;
 * const commands = expandFsRoutes(cache.fsRoutes, "*");
 * ```
 */
export function expandFsRoutes<State>(
  files: readonly FsRouteFile[],
  prefix: string,
): Command<State>[] {
  const base = prefix === "*" || prefix === "/"
    ? ""
    : prefix.replace(/\/+$/, "");
  const folders = new Map<string, Folder<State>>();
  const folder = (dir: string): Folder<State> => {
    let f = folders.get(dir);
    if (f === undefined) {
      f = { middlewares: [], layout: null, error: null };
      folders.set(dir, f);
    }
    return f;
  };

  const commands: Command<State>[] = [];
  const routes: { path: string; mod: Record<string, unknown> }[] = [];
  let notFound: Route<State> | null = null;

  for (const { path, mod } of files) {
    if (!isRouteFile(path)) continue;
    const slash = path.lastIndexOf("/");
    const dir = slash === -1 ? "" : path.slice(0, slash);
    const name = path.slice(slash + 1).replace(EXT, "");
    switch (name) {
      case "_app":
        commands.push({ kind: "app", component: mod.default as AnyComponent });
        break;
      case "_layout":
        folder(dir).layout = {
          component: mod.default as AnyComponent,
          config: (mod.config ?? {}) as LayoutConfig,
        };
        break;
      case "_middleware": {
        const mw = mod.handler ?? mod.default;
        const list = Array.isArray(mw) ? mw : [mw];
        for (const fn of list) {
          if (typeof fn !== "function") {
            throw new Error(
              `routes/${path} must export a middleware function or array`,
            );
          }
        }
        folder(dir).middlewares.push(...(list as Middleware<State>[]));
        break;
      }
      case "_error":
      case "_500":
        if (folder(dir).error === null || name === "_error") {
          folder(dir).error = toRoute<State>(mod);
        }
        break;
      case "_404":
        if (dir === "" || notFound === null) notFound = toRoute<State>(mod);
        break;
      default:
        if (name.startsWith("_")) break;
        routes.push({ path, mod });
    }
  }

  const root = folders.get("");
  if (root !== undefined) {
    // Root folder parts apply to every request, matched or not.
    const scope = base === "" ? "*" : base;
    if (root.middlewares.length > 0) {
      commands.push({ kind: "middleware", scope, fns: root.middlewares });
    }
    if (root.layout !== null) {
      commands.push({ kind: "layout", scope, ...root.layout });
    }
    if (root.error !== null) {
      commands.push({ kind: "error", scope, fn: errorPage(root.error) });
    }
  }
  if (notFound !== null) {
    commands.push({ kind: "notFound", fn: notFoundPage(notFound) });
  }

  for (const { path, mod } of routes) {
    const route = toRoute<State>(mod);
    if (route.handler === undefined && route.component === undefined) {
      console.warn(
        `routes/${path} exports neither a handler nor a default component`,
      );
      continue;
    }
    const own = filePathToPattern(path);
    // The index of a prefix is the prefix itself (`/docs`, not `/docs/`).
    const pattern = route.config?.routeOverride ??
      (base === "" ? own : own === "/" ? base : base + own);
    commands.push({
      kind: "route",
      method: "ALL",
      pattern,
      route,
      fns: [],
      folder: folderScope(path, folders),
    });
  }
  return commands;
}

function toRoute<State>(mod: Record<string, unknown>): Route<State> {
  return {
    handler: mod.handler as Route<State>["handler"],
    component: mod.default as AnyComponent | undefined,
    config: mod.config as RouteConfig | undefined,
  };
}

/** The non-root folders around a route, root to leaf. */
function folderScope<State>(
  path: string,
  folders: Map<string, Folder<State>>,
): FolderScope<State> {
  const scope: FolderScope<State> = {
    middlewares: [],
    layouts: [],
    error: null,
  };
  const parts = path.split("/");
  parts.pop();
  let dir = "";
  for (const part of parts) {
    dir = dir === "" ? part : `${dir}/${part}`;
    const f = folders.get(dir);
    if (f === undefined) continue;
    scope.middlewares.push(...f.middlewares);
    if (f.layout !== null) scope.layouts.push(f.layout);
    if (f.error !== null) scope.error = errorPage(f.error);
  }
  return scope;
}

/** An `_error`/`_500` file as an error handler: its page with the error's status. */
function errorPage<State>(route: Route<State>): Middleware<State> {
  return (ctx) => {
    const status = ctx.error instanceof HttpError ? ctx.error.status : 500;
    return renderSpecial(ctx, route, status);
  };
}

/** A `_404` file as the not-found handler. */
function notFoundPage<State>(route: Route<State>): Middleware<State> {
  return (ctx) => {
    if (ctx.error === null) ctx.error = new HttpError(404);
    return renderSpecial(ctx, route, 404);
  };
}

async function renderSpecial<State>(
  ctx: Context<State>,
  route: Route<State>,
  status: number,
): Promise<Response> {
  const handler = route.handler;
  // A handler object answers with its method, else GET: an error page is
  // rendered whatever the method of the failed request was.
  const fn = typeof handler === "function"
    ? handler
    : handler === undefined
    ? undefined
    : handler[ctx.req.method as Method] ?? handler.GET;
  if (fn !== undefined) {
    const res = await fn(ctx);
    if (res instanceof Response) return res;
    ctx.data = res.data;
  }
  if (route.component === undefined) {
    return new Response(null, { status });
  }
  ctx.Component = route.component as Context<State>["Component"];
  return ctx.render(null, { status });
}
