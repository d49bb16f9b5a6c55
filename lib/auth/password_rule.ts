/**
 * The password length rule, which the server and the sign-up island both
 * apply with the same words. No imports beyond the limits: islands bundle
 * this file. The rest of the policy (common passwords) is server-only, in
 * password.ts.
 *
 * @module
 */
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from "./limits.ts";

/**
 * The message for a password of the wrong length, or null when its length
 * is fine. Length is counted in code points after Unicode NFC, so "é" is
 * one character however the keyboard typed it.
 *
 * @example
 * ```ts
 * passwordLengthProblem("short"); // "Password must be at least 8 characters"
 * passwordLengthProblem("correct horse battery"); // null
 * ```
 */
export function passwordLengthProblem(password: string): string | null {
  let length = 0;
  for (const _ of password.normalize("NFC")) length++;
  if (length < MIN_PASSWORD_LENGTH) {
    return `Password must be at least ${MIN_PASSWORD_LENGTH} characters`;
  }
  if (length > MAX_PASSWORD_LENGTH) {
    return `Password must be at most ${MAX_PASSWORD_LENGTH} characters`;
  }
  return null;
}
