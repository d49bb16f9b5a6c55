/**
 * What the form islands share: posting JSON to an endpoint and reading
 * back the error shape of design.md. Runs in the browser.
 *
 * @module
 */

/** The outcome of {@linkcode postJson}. */
export type PostResult =
  // deno-lint-ignore no-explicit-any
  | { ok: true; data: any }
  | { ok: false; error: string; details: Record<string, string> };

/** Shown when the request never got an answer. */
export const NETWORK_ERROR =
  "Could not reach the server; check your connection and try again";

/**
 * Posts `body` as JSON; on failure returns the server's message and field
 * details, or `fallback` when the answer was not the JSON error shape.
 *
 * @example
 * ```ts
 * import { signal } from "@preact/signals";
 * const error = signal("");
 * const body = { email: "ada@example.com", password: "correct horse battery" };
 * const result = await postJson("/api/auth/login", body, "Sign-in failed");
 * if (!result.ok) error.value = result.error;
 * ```
 */
export async function postJson(
  url: string,
  body: unknown,
  fallback: string,
): Promise<PostResult> {
  let res: Response;
  try {
    res = await fetch(url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        accept: "application/json",
      },
      body: JSON.stringify(body),
    });
  } catch {
    return { ok: false, error: NETWORK_ERROR, details: {} };
  }
  if (res.ok) {
    return { ok: true, data: await res.json().catch(() => null) };
  }
  const data = await res.json().catch(() => null);
  return {
    ok: false,
    error: typeof data?.error === "string" ? data.error : fallback,
    details: data?.details !== null && typeof data?.details === "object"
      ? data.details
      : {},
  };
}

/**
 * Moves focus to the first field with a problem, so keyboard and screen
 * reader users land on it.
 *
 * @example
 * ```ts
 * const problems = { password: "Enter your password" };
 * focusFirstProblem(problems, [["email", "login-email"], ["password", "login-password"]]);
 * // focus moves to #login-password
 * ```
 */
export function focusFirstProblem(
  problems: Record<string, string>,
  fields: [name: string, id: string][],
): void {
  const first = fields.find(([name]) => problems[name]);
  if (first) document.getElementById(first[1])?.focus();
}
