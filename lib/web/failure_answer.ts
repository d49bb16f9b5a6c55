/**
 * The one place a refused action's reason becomes an HTTP status, and its
 * JSON answer. Pages and endpoints both take the status from here.
 *
 * @module
 */
import type { Failure, FailureReason } from "../auth/outcome.ts";
import { jsonError } from "../http/json.ts";

/** The status of each refusal reason. */
export const FAILURE_STATUS: Readonly<Record<FailureReason, number>> = {
  invalid: 400,
  wrong_credentials: 401,
  unverified: 403,
  not_found: 404,
  taken: 409,
  rate_limited: 429,
  busy: 503,
  unavailable: 503,
  no_email: 400,
  email_taken: 409,
  already_connected: 409,
  last_method: 409,
};

/**
 * The HTTP status for a refused action.
 *
 * @example
 * ```ts
 * import { failure } from "../auth/outcome.ts";
 * failureStatus(failure("taken", "An account with this email already exists")); // 409
 * ```
 */
export function failureStatus(f: Pick<Failure, "reason">): number {
  return FAILURE_STATUS[f.reason];
}

/**
 * Headers a refusal carries: `Retry-After` when waiting helps.
 *
 * @example
 * ```ts
 * import { failure } from "../auth/outcome.ts";
 * failureHeaders(failure("busy", "Busy", { retryAfterSeconds: 2 })); // { "retry-after": "2" }
 * ```
 */
export function failureHeaders(f: Failure): Record<string, string> {
  return f.retryAfterSeconds === undefined ? {} : {
    "retry-after": String(f.retryAfterSeconds),
    "cache-control": "no-store",
  };
}

/**
 * The JSON answer of a refused action:
 * `{ "success": false, "error": "…", "details"?: {…} }` with its status.
 *
 * @example
 * ```ts
 * import { failure } from "../auth/outcome.ts";
 * const res = failureJson(failure("not_found", "No such session")); // 404
 * ```
 */
export function failureJson(f: Failure): Response {
  return jsonError(failureStatus(f), f.error, f.details, failureHeaders(f));
}
