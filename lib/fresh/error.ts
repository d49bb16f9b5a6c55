/**
 * HTTP errors: the `HttpError` class that handlers throw, and how the app
 * turns a thrown value into a response (the nearest error handler first,
 * the not-found handler for 404s, a bare status page when those are
 * missing or fail themselves). Never leaks a stack trace to the client.
 *
 * @module
 */
import type { ErrorTarget } from "./compile.ts";
import type { Context } from "./context.ts";

/**
 * An error that carries an HTTP status. Thrown anywhere in a handler or
 * middleware, it becomes a response with that status (after the nearest
 * error page has had its say).
 *
 * @example
 * ```ts
 * import { HttpError } from "fresh";
 * throw new HttpError(404, "No such post");
 * ```
 */
export class HttpError extends Error {
  /** The HTTP status code, 400 to 599. */
  readonly status: number;

  constructor(status: number, message?: string, options?: ErrorOptions) {
    super(message ?? STATUS_TEXT[status] ?? `HTTP ${status}`, options);
    this.name = "HttpError";
    this.status = status;
  }
}

/** Reason phrases for the statuses the framework itself produces. */
export const STATUS_TEXT: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  409: "Conflict",
  413: "Content Too Large",
  415: "Unsupported Media Type",
  422: "Unprocessable Content",
  429: "Too Many Requests",
  500: "Internal Server Error",
  501: "Not Implemented",
  502: "Bad Gateway",
  503: "Service Unavailable",
};

/**
 * Answers a request whose chain threw.
 *
 * @example
 * ```ts
 * import type { ErrorTarget } from "./compile.ts";
 * import type { Context } from "./context.ts";
 * declare const ctx: Context<unknown>;
 * declare const errorHandler: ErrorTarget<unknown> | null;
 * declare const notFound: ErrorTarget<unknown> | null;
 * let res: Response;
 * try {
 *   res = await ctx.next();
 * } catch (err) {
 *   res = await handleError(ctx, err, errorHandler, notFound);
 * }
 * ```
 */
export async function handleError<State>(
  ctx: Context<State>,
  err: unknown,
  errorHandler: ErrorTarget<State> | null,
  notFound: ErrorTarget<State> | null,
): Promise<Response> {
  const status = err instanceof HttpError ? err.status : 500;
  if (status >= 500) logError(ctx, err);

  const target = status === 404 && notFound !== null ? notFound : errorHandler;
  if (target !== null && ctx.error === null) {
    ctx.error = err;
    ctx.renderScope = target.scope;
    try {
      return await target.fn(ctx);
    } catch (again) {
      // The error page itself failed: answer plainly, keep both in the log.
      if (!(again instanceof HttpError && again.status === status)) {
        logError(ctx, again);
      }
    }
  }
  return plainError(status);
}

/**
 * A minimal response for an error status.
 *
 * @example
 * ```ts
 * plainError(500); // 500 "Internal server error"
 * ```
 */
export function plainError(status: number): Response {
  const text = status === 500
    ? "Internal server error"
    : STATUS_TEXT[status] ?? "Error";
  return new Response(text, {
    status,
    headers: { "content-type": "text/plain; charset=utf-8" },
  });
}

function logError(ctx: Context<unknown>, err: unknown): void {
  console.error(`Error handling ${ctx.req.method} ${ctx.urlPathname}:`, err);
}
