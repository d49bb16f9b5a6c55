/**
 * The per-request context handed to every middleware, handler and page.
 *
 * @module
 */
import type { ComponentType, VNode } from "preact";
import type { BuildCache } from "./build_cache.ts";
import type {
  AnyComponent,
  PageResponse,
  ResolvedConfig,
  RouteConfig,
} from "./types.ts";
import { renderPage } from "./render/page.ts";
import { newNonce } from "./nonce.ts";
import { typedResponse } from "./response.ts";

/** What a route's page renders inside: its layouts and app wrapper. */
export interface RenderScope {
  // deno-lint-ignore no-explicit-any
  layouts: AnyComponent<any>[];
  // deno-lint-ignore no-explicit-any
  app: AnyComponent<any> | null;
}

const NO_SCOPE: RenderScope = { layouts: [], app: null };

/** Response init accepted by `ctx.render()` and friends. */
export interface RenderInit {
  status?: number;
  headers?: HeadersInit;
}

/**
 * The context of one request. Middlewares call `ctx.next()` to run the rest
 * of the chain and may change its response; handlers answer with
 * `ctx.render()`, `ctx.json()` and friends or a plain `Response`.
 *
 * @example
 * ```ts
 * import { App } from "fresh";
 * const app = new App().use(async (ctx) => {
 *   const res = await ctx.next();
 *   res.headers.set("X-Request-Path", ctx.url.pathname);
 *   return res;
 * });
 * ```
 */
export class Context<State = unknown> {
  readonly req: Request;
  readonly info: Deno.ServeHandlerInfo | undefined;
  readonly config: ResolvedConfig;
  /** Values decoded from dynamic route segments. */
  params: Record<string, string> = {};
  /** Data middlewares share with later middlewares, handlers and pages. */
  state: State = {} as State;
  /** The matched route pattern, null when no route matched. */
  route: string | null = null;
  /** The thrown value, inside an error handler or error page. */
  error: unknown = null;
  /** Data passed to the page component (set by `page()`). */
  data: unknown = undefined;
  /** The matched route's page component, if it has one. */
  // deno-lint-ignore no-explicit-any
  Component: ComponentType<any> | undefined = undefined;
  /** Client-side navigation is out of scope: always false. */
  readonly isPartial = false;

  /** @internal Route options of the matched route. */
  routeConfig: RouteConfig | undefined = undefined;
  /** @internal Layouts and app wrapper the page renders inside. */
  renderScope: RenderScope = NO_SCOPE;
  /** @internal The build the app serves (islands, client files). */
  buildCache: BuildCache | null;
  /**
   * @internal Set by `csp({ useNonce: true })`: scripts the framework emits
   * carry a nonce, which `nonce` makes on first use.
   */
  nonceEnabled = false;
  #nonce: string | undefined = undefined;
  /** @internal The rest of the middleware chain. */
  next: () => Promise<Response>;
  /**
   * @internal The pathname of the request URL (before any basePath is
   * taken off), known without parsing the whole URL.
   */
  readonly urlPathname: string;
  #url: URL | null;

  /**
   * @param url the parsed request URL, or null to parse it on first use;
   *   then `urlPathname` must be given
   */
  constructor(
    req: Request,
    url: URL | null,
    info: Deno.ServeHandlerInfo | undefined,
    config: ResolvedConfig,
    buildCache: BuildCache | null,
    next: () => Promise<Response>,
    urlPathname?: string,
  ) {
    this.req = req;
    this.#url = url;
    this.urlPathname = urlPathname ?? url?.pathname ??
      new URL(req.url).pathname;
    this.info = info;
    this.config = config;
    this.buildCache = buildCache;
    this.next = next;
  }

  /**
   * The request URL. Parsed on first use: routing needs only the path, so
   * requests that never look at the rest (most JSON and static ones) skip
   * the URL parser.
   */
  get url(): URL {
    return this.#url ??= new URL(this.req.url);
  }

  /**
   * @internal The CSP nonce for scripts the framework emits; undefined
   * unless `csp({ useNonce: true })` runs. Made on first use, so responses
   * without scripts (JSON, redirects, static files) cost no random bytes
   * and their policy names no nonce.
   */
  get nonce(): string | undefined {
    if (this.#nonce === undefined && this.nonceEnabled) {
      this.#nonce = newNonce();
    }
    return this.#nonce;
  }

  /** @internal Whether `nonce` was handed out during this request. */
  get nonceUsed(): boolean {
    return this.#nonce !== undefined;
  }

  /**
   * Renders a page inside the route's layouts and app wrapper. With no
   * vnode, renders the matched route's own component.
   *
   * @example
   * ```tsx
   * import { App } from "fresh";
   * const app = new App().get("/about", (ctx) => ctx.render(<h1>About</h1>));
   * ```
   */
  render(vnode?: VNode | null, init?: RenderInit): Promise<Response> {
    return renderPage(this, vnode ?? null, init);
  }

  /**
   * Redirects to a path on this site or to an absolute URL. A location
   * starting with `//` (or `/\`) would leave the site, so it is made a
   * local path instead.
   *
   * @example
   * ```ts
   * declare const ctx: Context;
   * const res = ctx.redirect("/login?next=%2Fdashboard", 303);
   * ```
   */
  redirect(location: string | URL, status = 302): Response {
    return new Response(null, {
      status,
      headers: {
        location: typeof location === "string"
          ? safeLocation(location)
          : location.href,
      },
    });
  }

  /**
   * Answers with plain text.
   *
   * @example
   * ```ts
   * declare const ctx: Context;
   * const res = ctx.text("pong");
   * ```
   */
  text(body: string, init?: ResponseInit): Response {
    return withType(body, init, "text/plain; charset=utf-8");
  }

  /**
   * Answers with an HTML string.
   *
   * @example
   * ```ts
   * declare const ctx: Context;
   * const res = ctx.html("<p>hello</p>");
   * ```
   */
  html(body: string, init?: ResponseInit): Response {
    return withType(body, init, "text/html; charset=utf-8");
  }

  /**
   * Answers with a value serialised as JSON.
   *
   * @example
   * ```ts
   * declare const ctx: Context;
   * const res = ctx.json({ status: "ok" }, { status: 200 });
   * ```
   */
  json(body: unknown, init?: ResponseInit): Response {
    return withType(JSON.stringify(body), init, "application/json");
  }
}

/** Alias kept for upstream compatibility. */
export type FreshContext<State = unknown> = Context<State>;

function withType(
  body: string,
  init: ResponseInit | undefined,
  type: string,
): Response {
  return init === undefined
    ? typedResponse(body, type, undefined, undefined, undefined)
    : typedResponse(body, type, init.status, init.statusText, init.headers);
}

/**
 * Keeps a redirect target on this site when it looks like a path:
 * browsers read `//evil.example` and `/\evil.example` as other hosts.
 */
export function safeLocation(location: string): string {
  // Read the location as the URL parser will: it skips leading control
  // characters and spaces, drops tabs and newlines anywhere and treats `\`
  // as `/`, so `\/evil.example` and `/\t/evil.example` leave the site too.
  // deno-lint-ignore no-control-regex
  const seen = location.replace(/[\t\n\r]/g, "").replace(/^[\x00-\x20]+/, "");
  if (/^[/\\]{2}/.test(seen)) {
    // Collapse the run of leading slashes and backslashes to one slash.
    return seen.replace(/^[/\\]+/, "/");
  }
  return location;
}

/**
 * Marks data for the route's page component, with an optional status and
 * headers for the response.
 *
 * @example
 * ```ts
 * import { createDefine } from "fresh";
 * const define = createDefine<unknown>();
 * const handler = define.handlers({
 *   GET: () => page({ posts: [] }, { headers: { "cache-control": "no-store" } }),
 * });
 * ```
 */
export function page<T>(
  data?: T,
  options?: { status?: number; headers?: HeadersInit },
): PageResponse<T> {
  return {
    data: data as T,
    status: options?.status,
    headers: options?.headers,
    __page: true,
  };
}

/** Tells a `page()` result from anything else a handler may return. */
export function isPageResponse(value: unknown): value is PageResponse<unknown> {
  return typeof value === "object" && value !== null &&
    (value as { __page?: unknown }).__page === true;
}
