/**
 * How a user action fails, in domain terms. No HTTP status here: the web
 * layer maps each reason to a status in one place
 * (`lib/web/failure_answer.ts`).
 *
 * @module
 */

/**
 * Why an action was refused:
 * - `invalid`: the input breaks a rule (see `details` per field);
 * - `wrong_credentials`: unknown email or wrong password, alike;
 * - `taken`: the email already has an account;
 * - `rate_limited`: too many attempts (`by` the network or the account);
 * - `busy`: too many password checks at once, nothing was tried;
 * - `not_found`: no such thing for this user (another user's is the same);
 * - `unverified`: the account's email address is not confirmed yet, and
 *   this needs it (see `lib/auth/verified.ts`);
 * - `unavailable`: a service the action needs (Stripe) cannot be reached;
 *   nothing was done, trying later may work.
 * - `no_email`: a sign-in provider gave no usable email address, so no
 *   account can be made from it;
 * - `email_taken`: an account has the address a provider gave, and the
 *   provider or the account has not verified it: nothing is linked (sign
 *   in with the password, then connect the provider in settings);
 * - `already_connected`: the account has another identity of this
 *   provider connected;
 * - `last_method`: disconnecting this would leave the account no way to
 *   sign in (no password, no other provider).
 */
export type FailureReason =
  | "invalid"
  | "wrong_credentials"
  | "taken"
  | "rate_limited"
  | "busy"
  | "not_found"
  | "unverified"
  | "unavailable"
  | "no_email"
  | "email_taken"
  | "already_connected"
  | "last_method";

/** A refused action: the reason, a plain message, and what helps retry. */
export interface Failure<R extends FailureReason = FailureReason> {
  ok: false;
  reason: R;
  /** Said to the person as it is. */
  error: string;
  /** Messages per input field. */
  details?: Record<string, string>;
  /** When trying again may work (rate_limited, busy). */
  retryAfterSeconds?: number;
  /** What a rate limit counted: the client's network or the account. */
  by?: "network" | "account";
}

/**
 * A failure value, for the actions to build theirs with.
 *
 * @example
 * ```ts
 * const f = failure("invalid", "Please correct the highlighted fields", {
 *   details: { email: "Enter an email address" },
 * });
 * ```
 */
export function failure<R extends FailureReason>(
  reason: R,
  error: string,
  extra: Omit<Failure<R>, "ok" | "reason" | "error"> = {},
): Failure<R> {
  return { ok: false, reason, error, ...extra };
}
