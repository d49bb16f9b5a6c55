/**
 * Email address validation at the edge: a pragmatic subset of RFC 5321
 * (what real mailboxes use), lower-cased.
 *
 * @module
 */
import { normalizeEmail } from "../db/users.ts";

const EMAIL_RE =
  /^[a-z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$/;

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
  if (typeof value !== "string" || value.trim() === "") {
    return { ok: false, error: "Enter your email address" };
  }
  const email = normalizeEmail(value);
  if (
    email.length > 254 || !EMAIL_RE.test(email) ||
    email.split("@")[0].length > 64
  ) {
    return {
      ok: false,
      error: "Enter a valid email address, like name@example.com",
    };
  }
  return { ok: true, value: email };
}
