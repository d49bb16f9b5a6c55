import type { ComponentChildren } from "preact";
import type {
  HandlerByMethod,
  HandlerFn,
  Middleware,
  PageProps,
  RouteHandler,
} from "./types.ts";

/**
 * A page, layout or app wrapper as the `define` helpers take it. One call
 * signature (unlike `AnyComponent`, a union), so that the parameters of
 * `define.page(({ data }) => ...)` are typed from context.
 */
export type PageComponent<P> = (
  props: P,
) => ComponentChildren | Response | Promise<ComponentChildren | Response>;

/** The `define` helpers returned by {@linkcode createDefine}. */
export interface Define<State> {
  /** Types a route's handlers; returns them unchanged. */
  handlers<
    Data,
    H extends RouteHandler<Data, State> = RouteHandler<Data, State>,
  >(
    handlers: H,
  ): H;
  /** Types a page component against its handler's data; returns it unchanged. */
  page<
    // deno-lint-ignore no-explicit-any
    Handler extends RouteHandler<any, State> = never,
    Data = Handler extends HandlerFn<infer D, State> ? D
      : Handler extends HandlerByMethod<infer D, State> ? D
      : never,
  >(
    render: PageComponent<PageProps<Data, State>>,
  ): PageComponent<PageProps<Data, State>>;
  /** Types a layout component; returns it unchanged. */
  layout(
    render: PageComponent<PageProps<unknown, State>>,
  ): PageComponent<PageProps<unknown, State>>;
  /** Types one middleware or a list; returns it unchanged. */
  middleware<M extends Middleware<State> | Middleware<State>[]>(mw: M): M;
}

/**
 * Makes identity helpers bound to your app's `State` type, so handlers,
 * pages and middlewares are typed without repeating generics.
 *
 * @example
 * ```ts
 * import { createDefine } from "fresh";
 * export const define = createDefine<{ user?: string }>();
 * export const handler = define.handlers({ GET: (ctx) => ctx.json({ ok: true }) });
 * ```
 */
export function createDefine<State>(): Define<State> {
  return {
    handlers: (h) => h,
    page: (render) => render,
    layout: (render) => render,
    middleware: (mw) => mw,
  };
}
