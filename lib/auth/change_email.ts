/**
 * Changing the account's email address, and undoing it.
 *
 * Decision: the address switches only when the new one is confirmed from
 * its own inbox, not at once with `email_verified_at` empty. Until then
 * the account keeps signing in and receiving resets at its verified
 * address, so a mistyped address cannot lock its owner out, and someone
 * holding a signed-in device and the password cannot move the account to
 * an address they merely typed. When the change applies, the new address
 * is verified (its link was opened) and the old address is told, with a
 * link that puts it back for 7 days.
 *
 * - {@linkcode requestEmailChange}: the new address gets a confirmation
 *   link (24 hours). Who asks has proved it recently: the web layer
 *   requires a sign-in proof from the last 10 minutes
 *   (`lib/web/recent_auth.ts`), which stands for the password. When another account
 *   already uses it, the answer and the work are the same (its owner is
 *   told someone tried) and nothing changes.
 * - {@linkcode confirmEmailChange}: the link's page POSTs the token (mail
 *   scanners that follow links change nothing); the address switches.
 * - {@linkcode undoEmailChange}: the old address comes back (verified:
 *   the link was opened from it), every session ends, every outstanding
 *   link of the account dies (a reset link may have gone to the other
 *   address), and a reset link goes to the old address, since whoever
 *   made the change may know the password. An undo link works whatever
 *   the address is now, so chaining a second change cannot strand it.
 *
 * Two-factor authentication is left as it is by all three.
 *
 * @module
 */
import { audit } from "../db/audit.ts";
import {
  deleteUserEmailChangeTokens,
  findEmailChangeToken,
  insertEmailChangeToken,
  takeEmailChangeToken,
} from "../db/email_change_tokens.ts";
import {
  deleteUserPasswordResetTokens,
  insertPasswordResetToken,
} from "../db/password_reset_tokens.ts";
import { deleteUserSessions } from "../db/sessions.ts";
import {
  DuplicateUserError,
  getUserByEmail,
  getUserById,
  updateEmail,
  type User,
} from "../db/users.ts";
import {
  ACCOUNT_LIMITS,
  type AccountDeps,
  type AccountMeta,
  noticeDeps,
  nowOf,
} from "./account_deps.ts";
import { securityNotice } from "../email/notices.ts";
import { appLink } from "../email/template.ts";
import {
  emailChangeConfirmMail,
  emailChangeTakenMail,
  emailChangeUndoneMail,
} from "./account_mail.ts";
import { emailTokenHash, newEmailToken } from "./email_token.ts";
import { validateEmail } from "./email_address.ts";
import { type Failure, failure } from "./outcome.ts";
import { RESET_TOKEN_TTL_MS } from "./password_reset.ts";
import { forgetSessions } from "./session.ts";

const HOUR = 60 * 60 * 1000;
/** How long a confirmation link works (as a verification link does). */
export const CONFIRM_TOKEN_TTL_MS = 24 * HOUR;
/** How long the old address may undo the change. */
export const UNDO_TOKEN_TTL_MS = 7 * 24 * HOUR;

/** The refusal of a malformed, unknown, used or expired confirmation link. */
export const CONFIRM_LINK_INVALID =
  "This confirmation link has expired or was already used. Ask for a new one in Settings.";
/** The refusal of a malformed, unknown, used or expired undo link. */
export const UNDO_LINK_INVALID =
  "This link has expired or was already used. If someone else controls your account, reset your password.";

/** Outcome of {@linkcode requestEmailChange}. */
export type EmailChangeRequestResult =
  | { ok: true; email: string }
  | Failure<"invalid" | "rate_limited">;

/**
 * Asks to move `user` to `input.email`. The answer is the same whether
 * the address is free or taken. Call it only for a session with a recent
 * proof (`requireRecentAuth`).
 *
 * @example
 * ```ts
 * import type { AccountDeps, AccountMeta } from "./account_deps.ts";
 * import type { User } from "../db/users.ts";
 * declare const deps: AccountDeps;
 * declare const meta: AccountMeta;
 * declare const user: User;
 * const result = await requestEmailChange(deps, user, {
 *   email: "ada@example.org",
 * }, meta);
 * ```
 */
export async function requestEmailChange(
  deps: AccountDeps,
  user: User,
  input: Record<string, string>,
  meta: AccountMeta,
): Promise<EmailChangeRequestResult> {
  const email = validateEmail(input.email);
  if (!email.ok || email.value === user.email) {
    return failure("invalid", "Please correct the highlighted fields", {
      details: {
        email: email.ok ? "That is already your address" : email.error,
      },
    });
  }
  const wait = await deps.limiter.hit(ACCOUNT_LIMITS.emailChange, user.id);
  if (wait > 0) {
    return failure(
      "rate_limited",
      `Too many address changes asked for; try again in ${wait} seconds`,
      { retryAfterSeconds: wait, by: "account" },
    );
  }
  const now = nowOf(deps);
  const { token, hash } = newEmailToken();
  const owner = await getUserByEmail(deps.db, email.value);
  await deps.db.transaction(async (tx) => {
    if (owner === null) {
      // Only the latest request's link works.
      await deleteUserEmailChangeTokens(tx, user.id, "confirm");
      await insertEmailChangeToken(tx, hash, {
        userId: user.id,
        purpose: "confirm",
        oldEmail: user.email,
        newEmail: email.value,
        createdAt: now,
        expiresAt: now + CONFIRM_TOKEN_TTL_MS,
      });
      await deps.mailer.send(
        tx,
        emailChangeConfirmMail(deps.appUrl, email.value, token, now, meta),
      );
    } else {
      // Two statements on the same table as above, matching nothing (the
      // hash is new): the same work, and nothing changes.
      await findEmailChangeToken(tx, hash, "confirm");
      await takeEmailChangeToken(tx, hash, "confirm");
      await deps.mailer.send(
        tx,
        emailChangeTakenMail(deps.appUrl, email.value, now, meta),
      );
    }
    // No outcome in the details: the account's own activity page shows
    // them, and must not tell whether the address had an account.
    await audit(tx, {
      userId: user.id,
      event: "auth.email_change_requested",
      ip: meta.ip,
      userAgent: meta.userAgent,
    }, now);
  });
  return { ok: true, email: email.value };
}

/** Outcome of {@linkcode checkEmailChangeLink}. */
export type EmailChangeLinkResult =
  | { ok: true; oldEmail: string; newEmail: string }
  | Failure<"invalid">;

/**
 * Whether a confirm or undo link still works, without using it: for the
 * page with the button.
 *
 * @example
 * ```ts
 * import type { AccountDeps } from "./account_deps.ts";
 * declare const deps: AccountDeps;
 * declare const fromLink: string;
 * const link = await checkEmailChangeLink(deps, fromLink, "confirm");
 * if (link.ok) console.log(`Move ${link.oldEmail} to ${link.newEmail}?`);
 * ```
 */
export async function checkEmailChangeLink(
  deps: AccountDeps,
  token: unknown,
  purpose: "confirm" | "undo",
): Promise<EmailChangeLinkResult> {
  const hash = emailTokenHash(token);
  const found = hash === null
    ? null
    : await findEmailChangeToken(deps.db, hash, purpose);
  if (found === null || found.expiresAt <= nowOf(deps)) {
    return linkInvalid(purpose);
  }
  const user = await getUserById(deps.db, found.userId);
  if (
    user === null || (purpose === "confirm" && user.email !== found.oldEmail)
  ) {
    return linkInvalid(purpose);
  }
  return { ok: true, oldEmail: found.oldEmail, newEmail: found.newEmail };
}

function linkInvalid(purpose: "confirm" | "undo"): Failure<"invalid"> {
  const error = purpose === "confirm"
    ? CONFIRM_LINK_INVALID
    : UNDO_LINK_INVALID;
  return failure("invalid", error, { details: { token: error } });
}

/** Outcome of {@linkcode confirmEmailChange} and {@linkcode undoEmailChange}. */
export type EmailChangeResult =
  | { ok: true; user: User }
  | Failure<"invalid">;

/**
 * Applies a change with the confirmation link's token (`input.token`): in
 * one transaction the token is used up, the address switches (verified),
 * the account's other confirmation links and reset links die, the event
 * is recorded and the old address gets its undo link. Sessions stay.
 *
 * @example
 * ```ts
 * import type { AccountDeps, AccountMeta } from "./account_deps.ts";
 * declare const deps: AccountDeps;
 * declare const meta: AccountMeta;
 * declare const fromLink: string;
 * const result = await confirmEmailChange(deps, { token: fromLink }, meta);
 * ```
 */
export async function confirmEmailChange(
  deps: AccountDeps,
  input: Record<string, string>,
  meta: AccountMeta,
): Promise<EmailChangeResult> {
  const hash = emailTokenHash(input.token);
  if (hash === null) return linkInvalid("confirm");
  const now = nowOf(deps);
  const undo = newEmailToken();
  const result = await deps.db.transaction(
    async (tx): Promise<EmailChangeResult> => {
      const taken = await takeEmailChangeToken(tx, hash, "confirm");
      if (taken === null || taken.expiresAt <= now) {
        return linkInvalid("confirm");
      }
      const user = await getUserById(tx, taken.userId);
      // Made for an address the account no longer has: a later change won.
      if (user === null || user.email !== taken.oldEmail) {
        return linkInvalid("confirm");
      }
      try {
        await updateEmail(tx, user.id, taken.newEmail, now, now);
      } catch (err) {
        if (!(err instanceof DuplicateUserError)) throw err;
        // Another account took the address after the request was made.
        return failure(
          "invalid",
          "That address now belongs to another account, so your address was not changed.",
        );
      }
      await deleteUserEmailChangeTokens(tx, user.id, "confirm");
      // Reset links went to the old address; the account is not its now.
      await deleteUserPasswordResetTokens(tx, user.id);
      await insertEmailChangeToken(tx, undo.hash, {
        userId: user.id,
        purpose: "undo",
        oldEmail: taken.oldEmail,
        newEmail: taken.newEmail,
        createdAt: now,
        expiresAt: now + UNDO_TOKEN_TTL_MS,
      });
      await audit(tx, {
        userId: user.id,
        event: "auth.email_changed",
        ip: meta.ip,
        userAgent: meta.userAgent,
        details: { from: taken.oldEmail, to: taken.newEmail },
      }, now);
      await securityNotice(tx, noticeDeps(deps), {
        kind: "email_changed",
        user: { id: user.id, email: taken.oldEmail },
        meta,
        at: now,
        extra: [`It now uses ${taken.newEmail}.`],
        undo: {
          label: "Undo this change",
          url: appLink({ appUrl: deps.appUrl }, "/undo-email-change", {
            token: undo.token,
          }),
          after: [
            "If it was not you, follow the link above within 7 days: your account goes back to this address, every device is signed out, and this address gets a link to choose a new password.",
          ],
        },
      });
      return { ok: true, user: (await getUserById(tx, user.id))! };
    },
  );
  return result;
}

/**
 * Undoes a change with the old address's link (`input.token`): in one
 * transaction the token is used up, the old address comes back, every
 * email change and reset link of the account dies, every session ends, the
 * event is recorded and a fresh reset link goes to the old address.
 *
 * @example
 * ```ts
 * import type { AccountDeps, AccountMeta } from "./account_deps.ts";
 * declare const deps: AccountDeps;
 * declare const meta: AccountMeta;
 * declare const fromLink: string;
 * const result = await undoEmailChange(deps, { token: fromLink }, meta);
 * ```
 */
export async function undoEmailChange(
  deps: AccountDeps,
  input: Record<string, string>,
  meta: AccountMeta,
): Promise<EmailChangeResult> {
  const hash = emailTokenHash(input.token);
  if (hash === null) return linkInvalid("undo");
  const now = nowOf(deps);
  const reset = newEmailToken();
  const done = await deps.db.transaction(async (tx) => {
    const taken = await takeEmailChangeToken(tx, hash, "undo");
    if (taken === null || taken.expiresAt <= now) return linkInvalid("undo");
    const user = await getUserById(tx, taken.userId);
    if (user === null) return linkInvalid("undo");
    const from = user.email;
    if (from !== taken.oldEmail) {
      try {
        await updateEmail(tx, user.id, taken.oldEmail, now, now);
      } catch (err) {
        if (!(err instanceof DuplicateUserError)) throw err;
        return failure(
          "invalid",
          "Another account now uses your old address, so it cannot come back. Reset your password from the sign-in page instead.",
        );
      }
    }
    await deleteUserEmailChangeTokens(tx, user.id);
    await deleteUserPasswordResetTokens(tx, user.id);
    const ended = await deleteUserSessions(tx, user.id);
    await insertPasswordResetToken(tx, reset.hash, {
      userId: user.id,
      createdAt: now,
      expiresAt: now + RESET_TOKEN_TTL_MS,
    });
    await audit(tx, {
      userId: user.id,
      event: "auth.email_change_undone",
      ip: meta.ip,
      userAgent: meta.userAgent,
      details: { from, to: taken.oldEmail, sessionsEnded: ended.length },
    }, now);
    await deps.mailer.send(
      tx,
      emailChangeUndoneMail(
        deps.appUrl,
        taken.oldEmail,
        reset.token,
        now,
        meta,
      ),
    );
    return {
      ok: true as const,
      user: (await getUserById(tx, user.id))!,
      ended,
    };
  });
  if (!done.ok) return done;
  await forgetSessions(deps.sessions, done.ended);
  return { ok: true, user: done.user };
}
