/**
 * The application: an ordered list of middlewares, layouts, error handlers
 * and routes, compiled into a request handler.
 *
 * @module
 */
import type { BuildCache } from "./build_cache.ts";
import { Context } from "./context.ts";
import { handleError, HttpError } from "./error.ts";
import {
  type Command,
  compile,
  type CompiledRoute,
  errorForPath,
  expandCommands,
  type Fallback,
  fallbackChain,
} from "./compile.ts";
import {
  Router,
  scopeCoversPath,
  simplePathname,
  splitPath,
} from "./router.ts";
import { runRoute } from "./route_handler.ts";
import type {
  AnyComponent,
  LayoutConfig,
  Middleware,
  ResolvedConfig,
  Route,
} from "./types.ts";

/** Options of `new App()`. */
export interface AppOptions {
  /** Serve every route under this path prefix, e.g. `/app`. */
  basePath?: string;
  /** Defaults to production unless `DENO_ENV=development`... set explicitly by the Builder. */
  mode?: "development" | "production";
  /** Project root on disk, default the current directory. */
  root?: string;
}

const BUILD_CACHE = Symbol("fresh.buildCache");

/**
 * A Fresh application.
 *
 * @example
 * ```ts
 * import { App, staticFiles } from "fresh";
 * export const app = new App()
 *   .use(staticFiles())
 *   .get("/api/ping", (ctx) => ctx.json({ pong: true }))
 *   .fsRoutes();
 * ```
 */
export class App<State = unknown> {
  readonly config: ResolvedConfig;
  #commands: Command<State>[] = [];
  [BUILD_CACHE]: BuildCache | null = null;

  constructor(options: AppOptions = {}) {
    const basePath = (options.basePath ?? "").replace(/\/+$/, "");
    this.config = {
      root: options.root ?? Deno.cwd(),
      basePath,
      mode: options.mode ?? "production",
    };
  }

  /** Adds middlewares for every path, or for one path and below it. */
  use(...args: [string, ...Middleware<State>[]] | Middleware<State>[]): this {
    const scope = typeof args[0] === "string" ? args.shift() as string : "*";
    const fns = (args as Middleware<State>[]).flat();
    this.#commands.push({ kind: "middleware", scope, fns });
    return this;
  }

  /** Answers GET (and HEAD) at a path. */
  get(path: string, ...fns: Middleware<State>[]): this {
    return this.#on("GET", path, fns);
  }
  /** Answers POST at a path. */
  post(path: string, ...fns: Middleware<State>[]): this {
    return this.#on("POST", path, fns);
  }
  /** Answers PUT at a path. */
  put(path: string, ...fns: Middleware<State>[]): this {
    return this.#on("PUT", path, fns);
  }
  /** Answers PATCH at a path. */
  patch(path: string, ...fns: Middleware<State>[]): this {
    return this.#on("PATCH", path, fns);
  }
  /** Answers DELETE at a path. */
  delete(path: string, ...fns: Middleware<State>[]): this {
    return this.#on("DELETE", path, fns);
  }
  /** Answers HEAD at a path (GET handlers answer HEAD already). */
  head(path: string, ...fns: Middleware<State>[]): this {
    return this.#on("HEAD", path, fns);
  }
  /** Answers every method at a path. */
  all(path: string, ...fns: Middleware<State>[]): this {
    return this.#on("ALL", path, fns);
  }

  /** Adds a route with a handler and/or page component. */
  route(path: string, route: Route<State>): this {
    const pattern = route.config?.routeOverride ?? path;
    this.#commands.push({
      kind: "route",
      method: "ALL",
      pattern,
      route,
      fns: [],
    });
    return this;
  }

  /** Handles every request that no route matched (and thrown 404s). */
  notFound(fn: Middleware<State>): this {
    this.#commands.push({ kind: "notFound", fn });
    return this;
  }

  /** Handles errors thrown below a path (everywhere when no path is given). */
  onError(fn: Middleware<State>): this;
  onError(path: string, fn: Middleware<State>): this;
  onError(
    pathOrFn: string | Middleware<State>,
    fn?: Middleware<State>,
  ): this {
    // Upstream documents both `onError("*", fn)` and `onError(fn)`.
    const [scope, handler] = typeof pathOrFn === "string"
      ? [pathOrFn, fn!]
      : ["*", pathOrFn];
    this.#commands.push({ kind: "error", scope, fn: handler });
    return this;
  }

  /** Sets the outer HTML document component. */
  // deno-lint-ignore no-explicit-any
  appWrapper(component: AnyComponent<any>): this {
    this.#commands.push({ kind: "app", component });
    return this;
  }

  /** Wraps pages at a path and below in a layout. */
  layout(
    path: string,
    // deno-lint-ignore no-explicit-any
    component: AnyComponent<any>,
    config: LayoutConfig = {},
  ): this {
    this.#commands.push({ kind: "layout", scope: path, component, config });
    return this;
  }

  /** Inserts the routes of `routes/` at this point of the chain. */
  fsRoutes(prefix = "*"): this {
    this.#commands.push({ kind: "fsRoutes", prefix });
    return this;
  }

  #on(method: string, path: string, fns: Middleware<State>[]): this {
    this.#commands.push({
      kind: "route",
      method,
      pattern: path,
      route: {},
      fns,
    });
    return this;
  }

  /**
   * Compiles the app into a request handler. Call once and reuse.
   *
   * @example
   * ```ts
   * const app = new App().get("/", (ctx) => ctx.text("hi"));
   * const handler = app.handler();
   * const res = await handler(new Request("http://localhost/")); // 200 "hi"
   * ```
   */
  handler(): (req: Request, info?: Deno.ServeHandlerInfo) => Promise<Response> {
    const cache = this[BUILD_CACHE];
    const commands = expandCommands(this.#commands, cache);
    const { router, fallback } = compile(commands);
    const config = this.config;
    const basePath = config.basePath;

    // Without path-scoped middlewares, a request no route answers runs the
    // same chain whatever its path.
    const fixedFallback =
      fallback.scoped.every((m) => scopeCoversPath(m.scope, []))
        ? fallbackChain(fallback, [])
        : null;

    return async (req, info) => {
      // Most request paths need no parsing; ctx.url is made when used.
      const href = req.url;
      let url: URL | null = null;
      let urlPathname = simplePathname(href);
      if (urlPathname === null) {
        url = new URL(href);
        urlPathname = url.pathname;
      }
      let pathname = urlPathname;
      if (basePath !== "") {
        if (pathname !== basePath && !pathname.startsWith(basePath + "/")) {
          return new Response("Not Found", { status: 404 });
        }
        pathname = pathname.slice(basePath.length) || "/";
      }
      const method = req.method;
      // The decoded segments, split only when needed: most requests are for
      // a static route, found from the path as it is.
      let split: string[] | null | undefined = undefined;
      const segments = (): string[] =>
        (split === undefined ? split = splitPath(pathname) : split) ?? [];
      let match = router.matchStatic(method, pathname);
      if (match === null) {
        split = splitPath(pathname);
        match = split === null ? null : router.match(method, split);
      }

      let chain: Middleware<State>[];
      let route: CompiledRoute<State> | null = null;
      if (match !== null && match.kind === "found") {
        route = match.value;
        chain = route.middlewares;
      } else {
        chain = fixedFallback ?? fallbackChain(fallback, segments());
      }

      let i = 0;
      const last = chain.length;
      // Route handlers (and the final step) answer their own errors inside
      // the chain, so middlewares (security headers, CSP) still apply to
      // error pages; errors of middlewares are caught further out.
      const guardFrom = route === null ? last : route.handlerStart;
      const onError = (err: unknown) =>
        handleError(
          ctx,
          err,
          route?.errorHandler ?? errorForPath(fallback, segments()),
          fallback.notFound,
        );
      const ctx: Context<State> = new Context<State>(
        req,
        url,
        info,
        config,
        cache,
        () => {
          if (i < last) {
            const fn = chain[i++];
            if (i <= guardFrom) return Promise.resolve(fn(ctx));
            return guard(fn, ctx, onError);
          }
          if (i++ > last) {
            throw new Error("ctx.next() called twice at the end of the chain");
          }
          return finalStep(ctx, route, match, fallback).catch(onError);
        },
        urlPathname,
      );
      if (route !== null && match !== null && match.kind === "found") {
        ctx.params = match.params;
        ctx.route = route.pattern;
        ctx.renderScope = route.scope;
        ctx.routeConfig = route.route.config;
        ctx.Component = route.route.component as Context<State>["Component"];
      } else if (fallback.notFound !== null) {
        ctx.renderScope = fallback.notFound.scope;
      }

      let res: Response;
      try {
        res = await ctx.next();
      } catch (err) {
        res = await onError(err);
      }
      return method === "HEAD" && res.body !== null
        ? new Response(null, res)
        : res;
    };
  }

  /**
   * Serves the app with `Deno.serve`. With no port, the first free port
   * from 8000 to 8019 is used.
   *
   * @example
   * ```ts
   * const app = new App().get("/", (ctx) => ctx.text("hi"));
   * await app.listen({ hostname: "127.0.0.1", port: 8000 });
   * ```
   */
  async listen(
    options: Partial<Deno.ServeTcpOptions> & {
      onListen?: (addr: Deno.NetAddr) => void;
    } = {},
  ): Promise<void> {
    const handler = this.handler();
    const onListen = options.onListen ?? ((addr: Deno.NetAddr) => {
      const host = addr.hostname.includes(":")
        ? `[${addr.hostname}]`
        : addr.hostname;
      console.log(
        `Listening on http://${host}:${addr.port}${this.config.basePath}/`,
      );
    });
    if (options.port !== undefined) {
      await Deno.serve({ ...options, onListen }, handler).finished;
      return;
    }
    for (let port = 8000; port < 8020; port++) {
      let server: Deno.HttpServer;
      try {
        server = Deno.serve({ ...options, port, onListen }, handler);
      } catch (err) {
        if (err instanceof Deno.errors.AddrInUse) continue;
        throw err;
      }
      await server.finished;
      return;
    }
    throw new Error(
      "No free port between 8000 and 8019; pass one with { port }",
    );
  }
}

/**
 * Gives an app the output of a build (file routes, islands, static files).
 * Called by the Builder and the generated production server.
 *
 * @example
 * ```ts
 * import { ProdBuildCache } from "./build_cache_prod.ts";
 * declare const app: App<unknown>;
 * declare const cache: ProdBuildCache;
 * setBuildCache(app, cache);
 * ```
 */
// deno-lint-ignore no-explicit-any
export function setBuildCache(app: App<any>, cache: BuildCache): void {
  app[BUILD_CACHE] = cache;
}

/**
 * The build an app serves, seen from a request context; null when the app
 * runs without a build (plain `app.handler()` in a unit test).
 *
 * @example
 * ```ts
 * import type { Context } from "./context.ts";
 * declare const ctx: Context<unknown>;
 * const cache = getBuildCache(ctx); // null in a plain app.handler() test
 * ```
 */
export function getBuildCache(ctx: Context<unknown>): BuildCache | null {
  return ctx.buildCache;
}

async function guard<State>(
  fn: Middleware<State>,
  ctx: Context<State>,
  onError: (err: unknown) => Promise<Response>,
): Promise<Response> {
  try {
    return await fn(ctx);
  } catch (err) {
    return onError(err);
  }
}

async function finalStep<State>(
  ctx: Context<State>,
  route: CompiledRoute<State> | null,
  match: ReturnType<Router<CompiledRoute<State>>["match"]> | null,
  fallback: Fallback<State>,
): Promise<Response> {
  if (route !== null) {
    if (
      route.route.handler === undefined && route.route.component === undefined
    ) {
      // The last handler of app.get() & co. called ctx.next(): nothing is left.
      throw new HttpError(404);
    }
    return await runRoute(ctx, route);
  }
  if (match !== null && match.kind === "method") {
    // Sorted like the Allow of file routes (route_handler.ts).
    const allow = match.allowed.includes("OPTIONS")
      ? match.allowed
      : [...match.allowed, "OPTIONS"].sort();
    if (ctx.req.method === "OPTIONS") {
      return new Response(null, {
        status: 204,
        headers: { allow: allow.join(", ") },
      });
    }
    return new Response("Method Not Allowed", {
      status: 405,
      headers: { allow: allow.join(", ") },
    });
  }
  if (fallback.notFound !== null) {
    return await fallback.notFound.fn(ctx);
  }
  throw new HttpError(404);
}
