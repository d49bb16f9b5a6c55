/**
 * Email address validation at the edge: a pragmatic subset of RFC 5321
 * (what real mailboxes use), lower-cased.
 *
 * @module
 */
import { emailProblem, normalizeEmail } from "./email_rule.ts";

/**
 * Checks and normalises an email address.
 *
 * @example
 * ```ts
 * validateEmail(" Ada@Example.COM "); // { ok: true, value: "ada@example.com" }
 * ```
 */
export function validateEmail(
  value: unknown,
): { ok: true; value: string } | { ok: false; error: string } {
  const problem = emailProblem(value);
  if (problem !== null) return { ok: false, error: problem };
  return { ok: true, value: normalizeEmail(value as string) };
}
