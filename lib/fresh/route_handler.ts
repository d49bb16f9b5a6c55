/**
 * Runs a matched route: its handler (a function, or one per method), then
 * its page component when the handler returns `page()` or there is none.
 *
 * @module
 */
import type { CompiledRoute } from "./compile.ts";
import { type Context, isPageResponse } from "./context.ts";
import type { HandlerByMethod, HandlerFn, PageResponse } from "./types.ts";

/**
 * Answers a request for a matched route.
 *
 * @example
 * ```ts
 * import type { CompiledRoute } from "./compile.ts";
 * import type { Context } from "./context.ts";
 * declare const ctx: Context<unknown>;
 * declare const compiledRoute: CompiledRoute<unknown>;
 * const res = await runRoute(ctx, compiledRoute);
 * ```
 */
export async function runRoute<State>(
  ctx: Context<State>,
  compiled: CompiledRoute<State>,
): Promise<Response> {
  const { handler, component } = compiled.route;
  const method = ctx.req.method;
  let result: Response | PageResponse<unknown>;

  if (typeof handler === "function") {
    result = await handler(ctx);
  } else if (handler !== undefined) {
    const byMethod = handler as HandlerByMethod<unknown, State>;
    const fn: HandlerFn<unknown, State> | undefined =
      byMethod[method as keyof typeof byMethod] ??
        (method === "HEAD" ? byMethod.GET : undefined);
    if (fn !== undefined) {
      result = await fn(ctx);
    } else if (
      component !== undefined && (method === "GET" || method === "HEAD")
    ) {
      result = { data: undefined, __page: true };
    } else {
      const allowed = new Set(Object.keys(byMethod));
      if (component !== undefined) allowed.add("GET");
      return methodNotAllowed(method, allowed);
    }
  } else if (method === "GET" || method === "HEAD") {
    result = { data: undefined, __page: true };
  } else {
    return methodNotAllowed(method, new Set(["GET"]));
  }

  if (result instanceof Response) return result;
  if (isPageResponse(result)) {
    if (component === undefined) {
      throw new Error(
        `The handler of ${compiled.pattern} returned page() but the route has no component`,
      );
    }
    ctx.data = result.data;
    return ctx.render(null, { status: result.status, headers: result.headers });
  }
  throw new Error(
    `The handler of ${compiled.pattern} returned neither a Response nor page()`,
  );
}

function methodNotAllowed(method: string, allowed: Set<string>): Response {
  if (allowed.has("GET")) allowed.add("HEAD");
  allowed.add("OPTIONS");
  const allow = [...allowed].sort().join(", ");
  if (method === "OPTIONS") {
    return new Response(null, { status: 204, headers: { allow } });
  }
  return new Response("Method Not Allowed", {
    status: 405,
    headers: { allow },
  });
}
