/**
 * The length limits of what a person types into the account forms, in one
 * place for the server rules, the islands' checks and the `minlength` /
 * `maxlength` attributes. No imports: islands bundle this file.
 *
 * @module
 */

/**
 * Fewest code points (after NFC) a password may have (NIST SP 800-63B).
 *
 * @example
 * ```ts
 * `<input type="password" minlength="${MIN_PASSWORD_LENGTH}">`;
 * ```
 */
export const MIN_PASSWORD_LENGTH = 8;

/**
 * Most code points (after NFC) a password may have: long enough for any
 * passphrase, short enough that nobody feeds megabytes to the hasher.
 *
 * @example
 * ```ts
 * `Use ${MIN_PASSWORD_LENGTH} to ${MAX_PASSWORD_LENGTH} characters.`;
 * ```
 */
export const MAX_PASSWORD_LENGTH = 128;

/**
 * Most characters of a whole email address (RFC 5321's 256-octet path less
 * its angle brackets).
 *
 * @example
 * ```ts
 * "a".repeat(250).length <= MAX_EMAIL_LENGTH; // true
 * ```
 */
export const MAX_EMAIL_LENGTH = 254;

/**
 * Most characters before the `@` of an email address (RFC 5321).
 *
 * @example
 * ```ts
 * "ada".length <= MAX_EMAIL_LOCAL_LENGTH; // true
 * ```
 */
export const MAX_EMAIL_LOCAL_LENGTH = 64;
