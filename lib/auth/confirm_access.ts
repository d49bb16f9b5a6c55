/**
 * Confirming access: the person using a signed-in session proves again
 * who they are (the password, plus a code when two-factor is on), so that
 * the sensitive actions (`lib/web/recent_auth.ts`) pass for the next ten
 * minutes. A stolen session cookie alone then cannot change the address,
 * the password or the second factor, nor delete the account.
 *
 * The password is checked as every settings check is
 * (`reauthenticate.ts`: counted per account, 5 per 15 minutes, refused
 * while the hasher is full); the code by the sign-in's own check
 * (`second_factor.ts`). Success moves the session's `authenticated_at`
 * forward and drops its cached copies everywhere, and is audited
 * (`auth.access_confirmed`); a wrong password is audited as a failed
 * sign-in, which the activity page marks as a warning.
 *
 * @module
 */
import { audit } from "../db/audit.ts";
import type { User } from "../db/users.ts";
import { type AccountDeps, type AccountMeta, nowOf } from "./account_deps.ts";
import { type Failure, failure } from "./outcome.ts";
import {
  reauthenticate,
  reauthenticated,
  WRONG_CURRENT_PASSWORD,
} from "./reauthenticate.ts";
import { checkSecondFactor, SECOND_FACTOR_WORDS } from "./second_factor.ts";
import { markSessionAuthenticated } from "./session.ts";

/** What the form or the JSON body gives. */
export interface ConfirmAccessInput {
  password?: string;
  /** The 6 digits of the authenticator app (two-factor accounts). */
  code?: string;
  /** A recovery code, instead of `code`. */
  recoveryCode?: string;
}

/** Outcome of {@linkcode confirmAccess}: until when the proof counts. */
export type ConfirmAccessResult =
  | { ok: true; authenticatedAt: number }
  | Failure<"invalid" | "rate_limited" | "busy" | "not_found">;

/**
 * The refusal for an account without a password (signed in through a
 * provider): nothing can be checked here yet; a new sign-in is the proof.
 */
export const NO_PASSWORD_TO_CONFIRM =
  "This account has no password to confirm it with. Sign out and sign in again, then make the change within 10 minutes.";

/**
 * Checks the proof of `user` (the password; and `input.code` or
 * `input.recoveryCode` when two-factor is on), then marks `sessionId` as
 * recently authenticated.
 *
 * @example
 * ```ts
 * import type { AccountDeps, AccountMeta } from "./account_deps.ts";
 * import type { User } from "../db/users.ts";
 * declare const deps: AccountDeps;
 * declare const meta: AccountMeta;
 * declare const user: User;
 * const result = await confirmAccess(deps, user, "session-id", {
 *   password: "Tulip orbit 7391 quartz!",
 * }, meta);
 * if (!result.ok) console.log(result.details);
 * ```
 */
export async function confirmAccess(
  deps: AccountDeps,
  user: User,
  sessionId: string,
  input: ConfirmAccessInput,
  meta: AccountMeta,
): Promise<ConfirmAccessResult> {
  if (!user.hasPassword) return failure("invalid", NO_PASSWORD_TO_CONFIRM);
  // Both fields are asked for before either is checked (and counted), so
  // the form shows every missing one at once.
  const missing: Record<string, string> = {};
  if (!input.password) missing.password = "Enter your password";
  if (
    user.twoFactorEnabled && !input.code?.trim() && !input.recoveryCode?.trim()
  ) {
    // The recovery-code form sends that field (empty): the error goes there.
    if (input.recoveryCode !== undefined) {
      missing.recoveryCode = "Enter one of your recovery codes";
    } else missing.code = SECOND_FACTOR_WORDS.enterCode;
  }
  if (Object.keys(missing).length > 0) {
    return failure("invalid", "Please correct the highlighted fields", {
      details: missing,
    });
  }
  const refused = await reauthenticate(
    deps,
    user,
    input.password,
    "password",
  );
  if (refused) {
    if (refused.details?.password === WRONG_CURRENT_PASSWORD) {
      // A session in someone else's hands guessing the password: the
      // owner's activity page shows it as a warning.
      await audit(deps.db, {
        userId: user.id,
        event: "auth.sign_in_failed",
        ip: meta.ip,
        userAgent: meta.userAgent,
        details: { reason: "wrong_password", during: "confirm_access" },
      }, nowOf(deps));
    }
    return refused;
  }
  // The password first: a code is not spent on a wrong password. The
  // check counts, audits and emails on its own (second_factor.ts).
  let secondFactor: "totp" | "recovery_code" | undefined;
  if (user.twoFactorEnabled) {
    const checked = await checkSecondFactor(deps, user, input, meta);
    if (!checked.ok) return checked;
    secondFactor = checked.method;
  }
  if (!(await markSessionAuthenticated(deps.sessions, sessionId))) {
    return failure("not_found", "This session has ended; sign in again");
  }
  await reauthenticated(deps, user.id);
  const now = nowOf(deps);
  await audit(deps.db, {
    userId: user.id,
    event: "auth.access_confirmed",
    ip: meta.ip,
    userAgent: meta.userAgent,
    details: secondFactor
      ? { method: "password", secondFactor }
      : { method: "password" },
  }, now);
  return { ok: true, authenticatedAt: now };
}
