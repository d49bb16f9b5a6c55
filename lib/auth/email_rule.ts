/**
 * What is wrong with an email address, if anything: the one rule the
 * server and the form islands both apply. No imports beyond the shared
 * messages: islands bundle this file.
 *
 * @module
 */
import { EMAIL_INVALID, EMAIL_REQUIRED } from "./messages.ts";

// A pragmatic subset of RFC 5321 (what real mailboxes use), lower case.
const EMAIL_RE =
  /^[a-z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$/;

/**
 * The message for an unusable address, or null when it is fine. The
 * address is read trimmed and lower-cased, as it is stored.
 *
 * @example
 * ```ts
 * emailProblem(" Ada@Example.COM "); // null
 * emailProblem("");                  // "Enter your email address"
 * ```
 */
export function emailProblem(value: unknown): string | null {
  if (typeof value !== "string" || value.trim() === "") return EMAIL_REQUIRED;
  const email = value.trim().toLowerCase();
  if (
    email.length > 254 || !EMAIL_RE.test(email) ||
    email.split("@")[0].length > 64
  ) return EMAIL_INVALID;
  return null;
}
