/**
 * The JSON shapes every endpoint answers with, and telling whether a
 * request wants JSON or a page.
 *
 * @module
 */

/**
 * An error answer: `{ "success": false, "error": "...", "details"?: {...} }`.
 *
 * @example
 * ```ts
 * const res = jsonError(400, "Invalid input", { email: "Enter a valid email address" });
 * // 400 {"success":false,"error":"Invalid input","details":{"email":"Enter a valid email address"}}
 * ```
 */
export function jsonError(
  status: number,
  error: string,
  details?: Record<string, string>,
  headers?: HeadersInit,
): Response {
  const body = details === undefined
    ? { success: false, error }
    : { success: false, error, details };
  return Response.json(body, { status, headers });
}

/**
 * A success answer: `{ "success": true, ...data }`.
 *
 * @example
 * ```ts
 * import type { User } from "../db/users.ts";
 * declare const user: User;
 * const res = jsonOk({ user }, 201);
 * ```
 */
export function jsonOk(
  data: Record<string, unknown> = {},
  status = 200,
  headers?: HeadersInit,
): Response {
  return Response.json({ success: true, ...data }, { status, headers });
}

/**
 * Whether the caller is a script wanting JSON rather than a browser
 * submitting a plain HTML form (which gets redirects instead).
 *
 * @example
 * ```ts
 * function unauthorised(req: Request): Response {
 *   if (wantsJson(req)) return jsonError(401, "Sign in first");
 *   return Response.redirect(new URL("/login", req.url), 303);
 * }
 * ```
 */
export function wantsJson(req: Request): boolean {
  const type = req.headers.get("content-type") ?? "";
  if (type.includes("application/json")) return true;
  const accept = req.headers.get("accept") ?? "";
  if (accept.includes("text/html")) return false;
  return accept.includes("application/json") || type === "";
}
