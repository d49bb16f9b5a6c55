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
