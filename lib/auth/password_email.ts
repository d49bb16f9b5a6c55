/**
 * The rule "a password must not contain your email address".
 *
 * What counts as containing it, and why:
 * - The whole address, always, whatever its length: `bob@example.com` as
 *   bob's password is the first thing anyone who knows the address tries.
 * - The local part (before `@`, and its base before a `+tag`) when it has
 *   at least {@linkcode MIN_MEANINGFUL_LOCAL_PART} letters or digits. A
 *   shorter one ("bob", "jo") is a common syllable: refusing every
 *   password that contains it would refuse "Bobsled orbit 7391" and teach
 *   people nothing, while such a password still needs five more characters
 *   that are not the name.
 * - Comparison is case-insensitive, after Unicode NFC (as passwords are
 *   hashed) and with everything but letters and digits removed from both
 *   sides, so `Bob@Example.com!`, `b.o.b@example.com` and "Ada Lovelace
 *   1815" (for ada.lovelace@…) are caught as the same thing.
 *
 * @module
 */

/**
 * Fewest letters and digits a local part needs to count on its own.
 *
 * @example
 * ```ts
 * MIN_MEANINGFUL_LOCAL_PART; // 4
 * ```
 */
export const MIN_MEANINGFUL_LOCAL_PART = 4;

/**
 * The message for a password that contains the email address.
 *
 * @example
 * ```ts
 * const details: Record<string, string> = {};
 * if (passwordContainsEmail("bob@example.com!", "bob@example.com")) {
 *   details.password = PASSWORD_CONTAINS_EMAIL_ERROR;
 * }
 * ```
 */
export const PASSWORD_CONTAINS_EMAIL_ERROR =
  "Choose a password that does not contain your email address";

/** Lower case letters and digits only, after NFC. */
function compact(s: string): string {
  return s.normalize("NFC").toLowerCase().replace(/[^\p{L}\p{N}]+/gu, "");
}

/**
 * Whether `password` contains the address `email` or, when it is long
 * enough to mean something, its local part (see the module doc).
 *
 * @example
 * ```ts
 * passwordContainsEmail("bob@example.com", "bob@example.com");      // true
 * passwordContainsEmail("Ada Lovelace 1815", "ada.lovelace@x.org");  // true
 * passwordContainsEmail("Bobsled orbit 7391", "bob@example.com");    // false
 * ```
 */
export function passwordContainsEmail(
  password: string,
  email: string,
): boolean {
  const pw = compact(password);
  const address = compact(email);
  if (address !== "" && pw.includes(address)) return true;
  const at = email.lastIndexOf("@");
  const local = at === -1 ? email : email.slice(0, at);
  const plus = local.indexOf("+");
  const parts = plus === -1 ? [local] : [local, local.slice(0, plus)];
  return parts.some((part) => {
    const c = compact(part);
    return c.length >= MIN_MEANINGFUL_LOCAL_PART && pw.includes(c);
  });
}
