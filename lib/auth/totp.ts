/**
 * Authenticator-app codes (TOTP, RFC 6238) over npm `@oslojs/otp`: SHA-1,
 * 6 digits, 30-second steps, as every authenticator app reads an
 * `otpauth://` URI by default. A code is accepted for the step of `now`
 * and one step either side (a phone clock up to ~30 s off, or a code typed
 * as it changed); the caller claims the matched step
 * (`claimTotpStep` in `lib/db/two_factor.ts`) so a code works once.
 *
 * The secret is 160 random bits, the length RFC 4226 recommends for
 * HMAC-SHA-1. It is the one secret the server must read back, so it is
 * stored sealed (`lib/security/encryption.ts`), never in the clear.
 *
 * @module
 */
import { createTOTPKeyURI, generateHOTP, verifyHOTP } from "@oslojs/otp";
import { encodeBase32UpperCaseNoPadding } from "@oslojs/encoding";

/** Bytes of a new secret: 160 bits. */
export const TOTP_SECRET_BYTES = 20;
/** Length of a time step, in milliseconds. */
export const TOTP_STEP_MS = 30_000;
/** Digits of a code. */
export const TOTP_DIGITS = 6;
/** Steps accepted either side of the current one. */
export const TOTP_DRIFT_STEPS = 1;

/**
 * A new secret: 20 bytes from `crypto.getRandomValues`.
 *
 * @example
 * ```ts
 * newTotpSecret().length; // 20
 * ```
 */
export function newTotpSecret(): Uint8Array {
  return crypto.getRandomValues(new Uint8Array(TOTP_SECRET_BYTES));
}

/**
 * The secret as a person types it into an authenticator app: base32
 * (RFC 4648, upper case, no padding) in groups of 4.
 *
 * @example
 * ```ts
 * totpKeyText(new TextEncoder().encode("12345678901234567890"));
 * // "GEZD GNBV GY3T QOJQ GEZD GNBV GY3T QOJQ"
 * ```
 */
export function totpKeyText(secret: Uint8Array): string {
  return encodeBase32UpperCaseNoPadding(secret).replace(/(.{4})(?=.)/g, "$1 ");
}

/**
 * The `otpauth://totp/…` URI a QR code carries: issuer, account, the
 * secret, SHA1, 6 digits, 30 s.
 *
 * @example
 * ```ts
 * const uri = totpUri(newTotpSecret(), { issuer: "Islet", account: "ada@example.com" });
 * uri.startsWith("otpauth://totp/Islet:ada%40example.com?"); // true
 * ```
 */
export function totpUri(
  secret: Uint8Array,
  who: { issuer: string; account: string },
): string {
  return createTOTPKeyURI(
    who.issuer,
    who.account,
    secret,
    TOTP_STEP_MS / 1000,
    TOTP_DIGITS,
  );
}

/**
 * The time step of `now` (Unix ms).
 *
 * @example
 * ```ts
 * totpStep(59_000); // 1
 * ```
 */
export function totpStep(now: number = Date.now()): number {
  return Math.floor(now / TOTP_STEP_MS);
}

/**
 * The code of time step `step` (for tests, and the RFC's vectors).
 *
 * @example
 * ```ts
 * const secret = new TextEncoder().encode("12345678901234567890");
 * totpCodeAt(secret, 1); // "287082" (RFC 6238, T = 59 s)
 * ```
 */
export function totpCodeAt(secret: Uint8Array, step: number): string {
  return generateHOTP(secret, BigInt(step), TOTP_DIGITS);
}

/**
 * The time step whose code `code` is, within one step of `now`, or null.
 * Spaces in the code are ignored ("123 456"); anything else that is not
 * six ASCII digits is null. Every candidate step is compared (in constant
 * time), whichever matches.
 *
 * @example
 * ```ts
 * const secret = newTotpSecret();
 * const step = totpStep();
 * matchTotp(secret, totpCodeAt(secret, step)); // step
 * matchTotp(secret, "12a456"); // null
 * ```
 */
export function matchTotp(
  secret: Uint8Array,
  code: string,
  now: number = Date.now(),
): number | null {
  if (typeof code !== "string" || code.length > 32) return null;
  const digits = code.replace(/[ \t]/g, "");
  if (!/^[0-9]{6}$/.test(digits)) return null;
  const current = totpStep(now);
  let matched: number | null = null;
  for (let d = -TOTP_DRIFT_STEPS; d <= TOTP_DRIFT_STEPS; d++) {
    const step = current + d;
    if (step < 0) continue;
    // Later steps win: claiming the latest keeps every earlier one used.
    if (verifyHOTP(secret, BigInt(step), TOTP_DIGITS, digits)) matched = step;
  }
  return matched;
}
