/**
 * Recovery codes: ten single-use codes, shown once, each accepted in place
 * of an authenticator code when the phone is lost.
 *
 * A code is 12 characters of Crockford's base32 alphabet (digits and lower
 * case letters without i, l, o and u, so nothing reads as something else),
 * 5 random bits each: 60 bits, shown as `xxxx-xxxx-xxxx`. Typed back, case,
 * spaces and dashes do not matter, and o / i / l are read as 0 / 1 / 1, as
 * Crockford's decoding does.
 *
 * Stored: only SHA-256 over a label, the account's id and the normalised
 * code. Why not argon2, as passwords are: a password is chosen by a person
 * and may be guessed from a dictionary, so each guess must be made
 * expensive; a recovery code is 60 random bits, so an offline search of
 * the stolen table costs about 2^59 hashes per code, and binding the hash
 * to the user id means no precomputed table serves two accounts, nor one
 * account's hash another's. Online, guesses are counted per account (the
 * second-factor limit: 5 per 15 minutes). A slow hash would add nothing
 * against either, and would put a CPU-heavy hash on a path an attacker can
 * call at will.
 *
 * @module
 */
import { createHash } from "node:crypto";

/** Codes in a set. */
export const RECOVERY_CODE_COUNT = 10;
/** Characters of a code, dashes not counted. */
export const RECOVERY_CODE_LENGTH = 12;
/** Crockford's base32 alphabet, lower case: 32 symbols, 5 bits each. */
export const RECOVERY_CODE_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz";
/** Longest text worth normalising: a code with generous spacing. */
const MAX_TYPED = 64;
const CODE_RE = new RegExp(`^[${RECOVERY_CODE_ALPHABET}]{12}$`);

/**
 * One new code, `xxxx-xxxx-xxxx`, from `crypto.getRandomValues` (each byte's
 * low 5 bits: 256 is a multiple of 32, so every symbol is equally likely).
 *
 * @example
 * ```ts
 * newRecoveryCode(); // e.g. "7k2m-q9dx-0hvc"
 * ```
 */
export function newRecoveryCode(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(RECOVERY_CODE_LENGTH));
  const chars = [...bytes].map((b) => RECOVERY_CODE_ALPHABET[b & 31]);
  return [0, 4, 8].map((i) => chars.slice(i, i + 4).join("")).join("-");
}

/**
 * A new set of {@linkcode RECOVERY_CODE_COUNT} different codes.
 *
 * @example
 * ```ts
 * const codes = newRecoveryCodes();
 * codes.length; // 10
 * ```
 */
export function newRecoveryCodes(): string[] {
  const codes = new Set<string>();
  while (codes.size < RECOVERY_CODE_COUNT) codes.add(newRecoveryCode());
  return [...codes];
}

/**
 * The code as stored before hashing: lower case, no spaces or dashes,
 * o / i / l read as 0 / 1 / 1; null unless that is 12 characters of the
 * alphabet.
 *
 * @example
 * ```ts
 * normaliseRecoveryCode(" 7K2M-Q9DX-OHVC "); // "7k2mq9dx0hvc"
 * normaliseRecoveryCode("123456"); // null
 * ```
 */
export function normaliseRecoveryCode(typed: string): string | null {
  if (typeof typed !== "string" || typed.length > MAX_TYPED) return null;
  const code = typed.toLowerCase().replace(/[\s-]/g, "")
    .replaceAll("o", "0").replace(/[il]/g, "1");
  return CODE_RE.test(code) ? code : null;
}

/**
 * What is stored for a code of `userId`: hex SHA-256 over a label, the id
 * and the normalised code; null when `typed` is not a code at all (so a
 * malformed one is refused without a database query).
 *
 * @example
 * ```ts
 * const [code] = newRecoveryCodes();
 * recoveryCodeHash("user-1", code) === recoveryCodeHash("user-1", code.toUpperCase()); // true
 * recoveryCodeHash("user-1", code) === recoveryCodeHash("user-2", code); // false
 * ```
 */
export function recoveryCodeHash(userId: string, typed: string): string | null {
  const code = normaliseRecoveryCode(typed);
  if (code === null) return null;
  return createHash("sha256")
    .update(`islet recovery code\0${userId}\0${code}`)
    .digest("hex");
}
