/**
 * The rules a new password follows wherever it is chosen (sign-up, reset,
 * change): length and the common-password list (`validatePassword`), and
 * not made of the account's email address (`password_email.ts`).
 *
 * @module
 */
import { validatePassword } from "./password.ts";
import {
  PASSWORD_CONTAINS_EMAIL_ERROR,
  passwordContainsEmail,
} from "./password_email.ts";

/**
 * What is wrong with `password` as the new password of the account at
 * `email`, or null when it may be used.
 *
 * @example
 * ```ts
 * newPasswordProblem("short", "ada@example.com"); // "Password must be at least 8 characters"
 * newPasswordProblem("Tulip orbit 7391 quartz!", "ada@example.com"); // null
 * ```
 */
export function newPasswordProblem(
  password: string | undefined,
  email: string,
): string | null {
  const rule = validatePassword(password ?? "");
  if (!rule.ok) return rule.error;
  if (passwordContainsEmail(password!, email)) {
    return PASSWORD_CONTAINS_EMAIL_ERROR;
  }
  return null;
}
