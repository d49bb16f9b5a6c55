/**
 * The app's one error type beyond `HttpError`: its message (and details
 * per field) are written for the person asking, so the error answer shows
 * them as they are, whatever the status.
 *
 * @module
 */
import { HttpError } from "fresh";

/**
 * An `HttpError` whose message is safe to show.
 *
 * @example
 * ```ts
 * throw new PublicError(400, "Please correct the highlighted fields", {
 *   email: "Enter an email address",
 * });
 * ```
 */
export class PublicError extends HttpError {
  constructor(
    status: number,
    message: string,
    readonly details?: Record<string, string>,
    options?: ErrorOptions,
  ) {
    super(status, message, options);
    this.name = "PublicError";
  }
}
