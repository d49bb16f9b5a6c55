/**
 * The checks the sign-in and sign-up islands run before posting, with the
 * server's own rules and words (lib/auth/email_rule.ts, password_rule.ts,
 * messages.ts), so a problem reads the same with and without
 * JavaScript. The server checks again, and has the last word. Runs in the
 * browser.
 *
 * @module
 */
import { emailProblem } from "../../auth/email_rule.ts";
import { PASSWORD_REQUIRED } from "../../auth/messages.ts";
import { passwordLengthProblem } from "../../auth/password_rule.ts";

/** What the user typed. */
export interface Credentials {
  email: string;
  password: string;
}

/**
 * Problems with a sign-in form, by field name; empty when it may be sent.
 *
 * @example
 * ```ts
 * checkSignIn({ email: "", password: "" });
 * // { email: "Enter your email address", password: "Enter your password" }
 * ```
 */
export function checkSignIn(input: Credentials): Record<string, string> {
  const problems: Record<string, string> = {};
  const email = emailProblem(input.email);
  if (email !== null) problems.email = email;
  if (input.password === "") problems.password = PASSWORD_REQUIRED;
  return problems;
}

/**
 * Problems with a sign-up form, by field name; empty when it may be sent.
 * Rules only the server knows (common passwords, taken addresses) come
 * back from it in the same shape.
 *
 * @example
 * ```ts
 * checkSignUp({ email: "ada@example.com", password: "short" });
 * // { password: "Password must be at least 8 characters" }
 * ```
 */
export function checkSignUp(input: Credentials): Record<string, string> {
  const problems: Record<string, string> = {};
  const email = emailProblem(input.email);
  if (email !== null) problems.email = email;
  const password = passwordLengthProblem(input.password);
  if (password !== null) problems.password = password;
  return problems;
}

/**
 * What a form shows for an answer: the field messages, and the form-level
 * message only when no field has one (the server's "Please correct the
 * highlighted fields" would say twice what the fields already say). Used
 * for the server-rendered props and the JSON answer alike.
 *
 * @example
 * ```ts
 * shownErrors("Please correct the highlighted fields", { email: "Enter your email address" });
 * // { error: "", fields: { email: "Enter your email address" } }
 * ```
 */
export function shownErrors(
  error: string | undefined,
  details: Record<string, string> | undefined,
): { error: string; fields: Record<string, string> } {
  const fields = details ?? {};
  const hasField = Object.values(fields).some((m) => m);
  return { error: hasField ? "" : error ?? "", fields };
}
