/**
 * The public types of the framework: middlewares, handlers, route and
 * layout configuration, page props.
 *
 * @module
 */
import type { ComponentChildren, ComponentType, VNode } from "preact";
import type { Context } from "./context.ts";

/** A function that answers a request, or hands it on with `ctx.next()`. */
export type Middleware<State = unknown> = (
  ctx: Context<State>,
) => Response | Promise<Response>;

/** Alias kept for upstream compatibility. */
export type MiddlewareFn<State = unknown> = Middleware<State>;

/** HTTP methods a route handler object may implement. */
export type Method =
  | "GET"
  | "HEAD"
  | "POST"
  | "PUT"
  | "PATCH"
  | "DELETE"
  | "OPTIONS";

/** What `page(data)` returns: data for the route's component. */
export interface PageResponse<T> {
  data: T;
  status?: number;
  headers?: HeadersInit;
  /** Brand so a handler's return value can be told apart from a Response. */
  readonly __page: true;
}

/** A handler function for one or all methods. */
export type HandlerFn<Data, State> = (
  ctx: Context<State>,
) =>
  | Response
  | PageResponse<Data>
  | Promise<Response | PageResponse<Data>>;

/** Handlers keyed by method. */
export type HandlerByMethod<Data, State> = {
  [M in Method]?: HandlerFn<Data, State>;
};

/** A route module's `handler` export. */
export type RouteHandler<Data, State> =
  | HandlerFn<Data, State>
  | HandlerByMethod<Data, State>;

/** Per-route options (a route module's `config` export). */
export interface RouteConfig {
  /** Replace the path derived from the file name (a URL pattern such as `/p/:id`). */
  routeOverride?: string;
  /** Render without the layouts of enclosing folders. */
  skipInheritedLayouts?: boolean;
  /** Render without `_app`. */
  skipAppWrapper?: boolean;
  /** Restrict the methods a component-only route answers. */
  methods?: "ALL" | Method[];
}

/** Options of a layout. */
export interface LayoutConfig {
  /** Drop the layouts inherited from enclosing folders. */
  skipInheritedLayouts?: boolean;
  /** Render without `_app`. */
  skipAppWrapper?: boolean;
}

/** Properties every page, layout and app wrapper component receives. */
export interface PageProps<Data = unknown, State = unknown> {
  /** The inner content: the page for a layout, the layouts for `_app`. */
  Component: ComponentType<Record<never, never>>;
  data: Data;
  state: State;
  url: URL;
  req: Request;
  params: Record<string, string>;
  route: string | null;
  info: Deno.ServeHandlerInfo | undefined;
  config: ResolvedConfig;
  error: unknown;
  isPartial: boolean;
}

/** Framework settings visible to handlers as `ctx.config`. */
export interface ResolvedConfig {
  /** Project root on disk. */
  root: string;
  /** Prefix all routes live under, "" when none. */
  basePath: string;
  mode: "development" | "production";
}

/** A route given to `app.route()` or found in `routes/`. */
export interface Route<State = unknown> {
  handler?: RouteHandler<unknown, State>;
  // deno-lint-ignore no-explicit-any
  component?: AnyComponent<any>;
  config?: RouteConfig;
}

/**
 * A component the framework renders: a Preact component, or an async
 * function that receives the props and may also return a Response.
 */
export type AnyComponent<P = PageProps> =
  | ComponentType<P>
  | ((props: P) => Promise<VNode | ComponentChildren | Response | null>);
