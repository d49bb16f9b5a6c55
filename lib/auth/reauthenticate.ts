/**
 * The current-password check that settings actions ask for before they
 * change how the account signs in, counted per account (5 checks per 15
 * minutes, counted up front and cleared on success, as sign-in counts).
 *
 * @module
 */
import { getPasswordHash, type User } from "../db/users.ts";
import { ACCOUNT_LIMITS, type AccountDeps } from "./account_deps.ts";
import { type Failure, failure } from "./outcome.ts";
import { hashingBusy, QueueFullError, verifyPassword } from "./password.ts";
import { busy } from "./sign_in.ts";

/** The field error of a wrong current password. */
export const WRONG_CURRENT_PASSWORD = "That is not your current password";

/**
 * Checks `password` against the account's; null when it matches, else
 * the refusal (its field is `field`). Call {@linkcode reauthenticated}
 * once the action succeeded.
 *
 * @example
 * ```ts
 * import type { AccountDeps } from "./account_deps.ts";
 * import type { User } from "../db/users.ts";
 * declare const deps: AccountDeps;
 * declare const user: User;
 * const refused = await reauthenticate(deps, user, "Tulip orbit 7391 quartz!", "currentPassword");
 * ```
 */
export async function reauthenticate(
  deps: AccountDeps,
  user: User,
  password: string | undefined,
  field: string,
): Promise<Failure<"invalid" | "rate_limited" | "busy"> | null> {
  if (!password) {
    return failure("invalid", "Please correct the highlighted fields", {
      details: { [field]: "Enter your current password" },
    });
  }
  const hash = await getPasswordHash(deps.db, user.id);
  if (hash === null) {
    return failure(
      "invalid",
      "This account has no password yet; set one with “Forgot your password?” on the sign-in page",
      { details: { [field]: "This account has no password yet" } },
    );
  }
  // Not counted while the hasher is full: nothing would be checked.
  const full = hashingBusy();
  if (full) return busy(full);
  const wait = await deps.limiter.hit(ACCOUNT_LIMITS.reauth, user.id);
  if (wait > 0) {
    return failure(
      "rate_limited",
      `Too many wrong passwords; try again in ${wait} seconds`,
      { retryAfterSeconds: wait, by: "account" },
    );
  }
  let valid: boolean;
  try {
    valid = await verifyPassword(hash, password);
  } catch (err) {
    if (err instanceof QueueFullError) return busy(err);
    throw err;
  }
  if (!valid) {
    return failure("invalid", "Please correct the highlighted fields", {
      details: { [field]: WRONG_CURRENT_PASSWORD },
    });
  }
  return null;
}

/**
 * Forgets the account's counted checks after a success.
 *
 * @example
 * ```ts
 * import type { AccountDeps } from "./account_deps.ts";
 * declare const deps: AccountDeps;
 * await reauthenticated(deps, "user-id");
 * ```
 */
export function reauthenticated(
  deps: AccountDeps,
  userId: string,
): Promise<void> {
  return deps.limiter.clear(ACCOUNT_LIMITS.reauth, userId);
}
