/**
 * What is wrong with an email address, if anything: the one rule the
 * server and the form islands both apply. No imports beyond the shared
 * messages and limits: islands bundle this file.
 *
 * @module
 */
import { MAX_EMAIL_LENGTH, MAX_EMAIL_LOCAL_LENGTH } from "./limits.ts";
import { EMAIL_INVALID, EMAIL_REQUIRED } from "./messages.ts";

/**
 * The one form of an email address that is stored, looked up and counted
 * (by the per-account sign-in limit): surrounding whitespace removed and
 * lower-cased. Two spellings that differ only in case are one account, as
 * design.md asks; the `users.email` column's `COLLATE NOCASE` enforces the
 * same uniqueness in the database. No other folding (no NFKC, no removing
 * dots or `+tags`): those name different mailboxes at some providers, and
 * an address that passes {@linkcode emailProblem} is ASCII anyway.
 *
 * @example
 * ```ts
 * normalizeEmail("  Ada@Example.COM "); // "ada@example.com"
 * ```
 */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

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
  const email = normalizeEmail(value);
  if (
    email.length > MAX_EMAIL_LENGTH || !EMAIL_RE.test(email) ||
    email.split("@")[0].length > MAX_EMAIL_LOCAL_LENGTH
  ) return EMAIL_INVALID;
  return null;
}
