/**
 * The words of the sign-in and sign-up answers that the server and the
 * form islands both show, kept in one place so a message reads the same
 * with and without JavaScript. No imports: islands bundle this file.
 *
 * @module
 */

/** The email field was left empty. */
export const EMAIL_REQUIRED = "Enter your email address";
/** The email field does not hold an address. */
export const EMAIL_INVALID =
  "Enter a valid email address, like name@example.com";
/** Sign-in without a password. */
export const PASSWORD_REQUIRED = "Enter your password";
/** Sign-up with an address that has an account; the form adds a "Sign in instead" link. */
export const EMAIL_TAKEN = "An account with this email already exists.";
