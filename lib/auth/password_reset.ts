/**
 * Password reset: a request mails a single-use link (valid one hour, only
 * its hash stored); the link's page sets a new password by the sign-up
 * rules, which ends every session of the account and deletes all of its
 * reset tokens, and a notice goes to the account's address.
 *
 * A request answers the same for known and unknown addresses after the
 * same work: one token made, one lookup, one transaction holding one token
 * statement, one outbox row (an address without an account is told so,
 * which also helps a person who forgot which address they used) and one
 * audit row.
 *
 * Two-factor authentication is left as it is: a reset proves control of
 * the mailbox, not of the second factor, so an account with two-factor on
 * still asks for it at the next sign-in.
 *
 * A reset of an account whose address was never confirmed also removes
 * its sign-in provider links. Such an account may have been made through
 * a provider that vouched for nobody's address, by someone waiting for
 * the address's real owner to "recover" it: after the reset the owner
 * would use an account the intruder still signs in to. Whoever proves the
 * mailbox gets the account, alone; providers that are theirs are
 * connected again from settings.
 *
 * @module
 */
import { audit } from "../db/audit.ts";
import {
  deleteUserPasswordResetTokens,
  findPasswordResetToken,
  insertPasswordResetToken,
  takePasswordResetToken,
} from "../db/password_reset_tokens.ts";
import { deleteOAuthAccounts } from "../db/oauth_accounts.ts";
import { deleteUserSessions } from "../db/sessions.ts";
import {
  getUserByEmail,
  getUserById,
  markEmailVerified,
  updatePasswordHash,
  type User,
} from "../db/users.ts";
import { normalizeEmail } from "./email_rule.ts";
import { RATE_LIMITS } from "../security/rate_limit.ts";
import {
  ACCOUNT_LIMITS,
  type AccountDeps,
  type AccountMeta,
  noticeDeps,
  nowOf,
} from "./account_deps.ts";
import { securityNotice } from "../email/notices.ts";
import { resetLinkMail, resetNoAccountMail } from "./account_mail.ts";
import { emailTokenHash, newEmailToken } from "./email_token.ts";
import { validateEmail } from "./email_address.ts";
import { newPasswordProblem } from "./new_password.ts";
import { type Failure, failure } from "./outcome.ts";
import { hashPassword, QueueFullError } from "./password.ts";
import { forgetSessions } from "./session.ts";
import { busy } from "./sign_in.ts";

/** How long a reset link works. */
export const RESET_TOKEN_TTL_MS = 60 * 60 * 1000;

/** The one refusal of a link that is malformed, unknown, used or expired. */
export const RESET_LINK_INVALID =
  "This reset link has expired or was already used. Ask for a new one.";

/** Outcome of {@linkcode requestPasswordReset}. */
export type ResetRequestResult =
  | { ok: true; email: string }
  | Failure<"invalid" | "rate_limited">;

/**
 * Handles "I forgot my password" for the address typed. The answer is the
 * same whether an account uses it or not.
 *
 * @example
 * ```ts
 * import type { AccountDeps, AccountMeta } from "./account_deps.ts";
 * declare const deps: AccountDeps;
 * declare const meta: AccountMeta;
 * const result = await requestPasswordReset(deps, { email: "ada@example.com" }, meta);
 * if (result.ok) console.log(`If an account uses ${result.email}, a link is on its way.`);
 * ```
 */
export async function requestPasswordReset(
  deps: AccountDeps,
  input: Record<string, string>,
  meta: AccountMeta,
): Promise<ResetRequestResult> {
  const email = validateEmail(input.email);
  if (!email.ok) {
    return failure("invalid", "Please correct the highlighted fields", {
      details: { email: email.error },
    });
  }
  // Counted for every address typed, so this refusal says nothing about
  // whether an account uses it.
  const wait = await deps.limiter.hit(ACCOUNT_LIMITS.resetAddress, email.value);
  if (wait > 0) {
    return failure(
      "rate_limited",
      `Too many reset requests for this address; try again in ${wait} seconds`,
      { retryAfterSeconds: wait, by: "account" },
    );
  }
  const now = nowOf(deps);
  const { token, hash } = newEmailToken();
  const user = await getUserByEmail(deps.db, email.value);
  // One hit either way (equal work); past the account's limit nothing is
  // sent, and the answer cannot say so without saying the account exists.
  const accountWait = await deps.limiter.hit(
    ACCOUNT_LIMITS.resetAccount,
    user?.id ?? `none:${email.value}`,
  );
  const send = user !== null && accountWait === 0;
  await deps.db.transaction(async (tx) => {
    if (send) {
      await insertPasswordResetToken(tx, hash, {
        userId: user.id,
        createdAt: now,
        expiresAt: now + RESET_TOKEN_TTL_MS,
      });
      await deps.mailer.send(
        tx,
        resetLinkMail(deps.appUrl, user.email, token, now, meta),
      );
    } else {
      // The same statement against the same index, matching nothing: the
      // request costs what a real one costs.
      await takePasswordResetToken(tx, hash);
      if (user === null) {
        await deps.mailer.send(
          tx,
          resetNoAccountMail(deps.appUrl, email.value, now, meta),
        );
      }
    }
    await audit(tx, {
      userId: user?.id ?? null,
      event: "auth.password_reset_requested",
      ip: meta.ip,
      userAgent: meta.userAgent,
      details: user === null ? null : { sent: send },
    }, now);
  });
  return { ok: true, email: email.value };
}

/** Outcome of {@linkcode checkResetLink}. */
export type ResetLinkResult =
  | { ok: true; email: string }
  | Failure<"invalid">;

/**
 * Whether a reset link still works, without using it: for the page that
 * asks for the new password, so nobody types one for a dead link.
 *
 * @example
 * ```ts
 * import type { AccountDeps } from "./account_deps.ts";
 * declare const deps: AccountDeps;
 * declare const fromLink: string;
 * const link = await checkResetLink(deps, fromLink);
 * ```
 */
export async function checkResetLink(
  deps: AccountDeps,
  token: unknown,
): Promise<ResetLinkResult> {
  const hash = emailTokenHash(token);
  const found = hash === null
    ? null
    : await findPasswordResetToken(deps.db, hash);
  const user = found === null || found.expiresAt <= nowOf(deps)
    ? null
    : await getUserById(deps.db, found.userId);
  if (user === null) return linkInvalid();
  return { ok: true, email: user.email };
}

function linkInvalid(): Failure<"invalid"> {
  return failure("invalid", RESET_LINK_INVALID, {
    details: { token: RESET_LINK_INVALID },
  });
}

/** Outcome of {@linkcode resetPassword}. */
export type ResetResult =
  | { ok: true; user: User; sessionsEnded: number }
  | Failure<"invalid" | "busy">;

/**
 * Sets a new password with a reset link's token (`input.token`,
 * `input.password`). In one transaction: the token is used up, the
 * password set, every reset token of the account deleted, every session
 * ended, the event recorded and the notice queued. Nobody is signed in:
 * the person signs in with the new password.
 *
 * @example
 * ```ts
 * import type { AccountDeps, AccountMeta } from "./account_deps.ts";
 * declare const deps: AccountDeps;
 * declare const meta: AccountMeta;
 * declare const fromLink: string;
 * const result = await resetPassword(deps, { token: fromLink, password: "Tulip orbit 7391 quartz!" }, meta);
 * if (!result.ok) console.log(result.details);
 * ```
 */
export async function resetPassword(
  deps: AccountDeps,
  input: Record<string, string>,
  meta: AccountMeta,
): Promise<ResetResult> {
  const hash = emailTokenHash(input.token);
  // Checked before hashing (argon2 is the costly part) and again, by
  // taking it, inside the transaction.
  const link = await checkResetLink(deps, input.token);
  if (hash === null || !link.ok) return linkInvalid();
  const problem = newPasswordProblem(input.password, link.email);
  if (problem !== null) {
    return failure("invalid", "Please correct the highlighted fields", {
      details: { password: problem },
    });
  }
  let passwordHash: string;
  try {
    passwordHash = await hashPassword(input.password);
  } catch (err) {
    if (err instanceof QueueFullError) return busy(err);
    throw err;
  }
  const now = nowOf(deps);
  const done = await deps.db.transaction(async (tx) => {
    const taken = await takePasswordResetToken(tx, hash);
    if (taken === null || taken.expiresAt <= now) return null;
    const user = await getUserById(tx, taken.userId);
    // The address changed since the check: the rules were checked against
    // the old one, so the person is asked again.
    if (user === null || user.email !== link.email) return null;
    await updatePasswordHash(tx, user.id, passwordHash, now);
    // The link arrived in this inbox: that verifies the address, and
    // ends the provider links made before it was (see the module doc).
    let dropped = 0;
    if (user.emailVerifiedAt === null) {
      await markEmailVerified(tx, user.id, now);
      for (const link of await deleteOAuthAccounts(tx, user.id)) {
        dropped++;
        await audit(tx, {
          userId: user.id,
          event: "oauth.unlinked",
          ip: meta.ip,
          userAgent: meta.userAgent,
          details: { label: link.label, reason: "password_reset_unverified" },
        }, now);
      }
    }
    // two_factor_enabled is left as it is on purpose (see the module doc).
    await deleteUserPasswordResetTokens(tx, user.id);
    const ended = await deleteUserSessions(tx, user.id);
    await audit(tx, {
      userId: user.id,
      event: "auth.password_reset",
      ip: meta.ip,
      userAgent: meta.userAgent,
      details: { sessionsEnded: ended.length },
    }, now);
    await securityNotice(tx, noticeDeps(deps), {
      kind: "password_changed",
      user,
      meta,
      at: now,
      extra: [
        "It was reset with a link sent to this address. Every device that was signed in has been signed out.",
        ...(dropped === 0 ? [] : [
          "This address had not been confirmed before, so the sign-in providers connected to the account (GitHub, Google or another) were disconnected: if they are yours, connect them again in Settings → Connected accounts.",
        ]),
      ],
    });
    return { user, ended };
  });
  if (done === null) return linkInvalid();
  await forgetSessions(deps.sessions, done.ended);
  // The owner proved who they are: earlier failed sign-ins (perhaps why
  // they reset) no longer lock the account.
  await deps.limiter.clear(
    RATE_LIMITS.signInAccount,
    normalizeEmail(done.user.email),
  );
  return {
    ok: true,
    user: (await getUserById(deps.db, done.user.id)) ?? done.user,
    sessionsEnded: done.ended.length,
  };
}
