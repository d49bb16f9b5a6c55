/**
 * Islet's implementation of the Fresh 2 application API (`fresh`).
 *
 * @module
 */
export { App, type AppOptions } from "./app.ts";
export {
  Context,
  type FreshContext,
  page,
  type RenderInit,
} from "./context.ts";
export { createDefine, type Define } from "./define.ts";
export { HttpError } from "./error.ts";
export { csp, type CSPOptions } from "./middlewares/csp.ts";
export { csrf, type CsrfOptions } from "./middlewares/csrf.ts";
export { staticFiles } from "./middlewares/static_files.ts";
export { trailingSlashes } from "./middlewares/trailing_slashes.ts";
export type {
  AnyComponent,
  HandlerByMethod,
  HandlerFn,
  LayoutConfig,
  Method,
  Middleware,
  MiddlewareFn,
  PageProps,
  PageResponse,
  ResolvedConfig,
  Route,
  RouteConfig,
  RouteHandler,
} from "./types.ts";
