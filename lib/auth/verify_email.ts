/**
 * Proving that an account's address receives its mail: a single-use link
 * (`/verify-email?token=…`, valid 24 hours, bound to the address it was
 * sent to) whose page asks for a button press before anything changes, so
 * the mail scanners that open every link in a message verify nothing.
 * Verifying signs nobody in: the link may be opened on another device.
 *
 * Sent after sign-up, on request (the banner's "send a new link", limited
 * per account), and after an email change (`sendVerification`, in the
 * change's own transaction).
 *
 * @module
 */
import type { Config } from "../config.ts";
import type { Db, Queryable } from "../db/db.ts";
import { audit } from "../db/audit.ts";
import { getUserById, markEmailVerified, type User } from "../db/users.ts";
import type { Mailer } from "../email/mail.ts";
import { appLink, renderEmail } from "../email/template.ts";
import {
  consumeEmailToken,
  deleteEmailTokens,
  issueEmailToken,
  type TokenRefusal,
  VERIFY_EMAIL_TOKENS,
} from "./email_token.ts";
import { normalizeEmail } from "./email_rule.ts";
import { type Failure, failure } from "./outcome.ts";
import type { RequestMeta } from "./sign_up.ts";

/** How long a verification link works: a day, time enough to find the mail. */
export const VERIFY_EMAIL_TTL_MS = 24 * 60 * 60 * 1000;

/** The page the link opens (its button posts back to it). */
export const VERIFY_EMAIL_PATH = "/verify-email";

/** What sending mail needs: the outbox, and APP_URL for absolute links. */
export interface MailDeps {
  mailer: Mailer;
  config: Pick<Config, "appUrl">;
}

/** Why a verification email went out, for the audit log. */
export type VerificationReason = "sign_up" | "resend" | "email_change";

/**
 * Issues a verification token for `user`'s address and queues the email
 * with its link, both through `tx` (the transaction of the change that
 * asked for it: an account being created, an address being changed), and
 * records it. Nothing is sent if that transaction rolls back.
 *
 * @example
 * ```ts
 * import type { Db } from "../db/db.ts";
 * declare const db: Db;
 * declare const deps: MailDeps;
 * declare const userId: string;
 * // After an email change, in the change's transaction:
 * await db.transaction(async (tx) => {
 *   // … UPDATE users SET email = … through tx …
 *   await sendVerification(tx, deps, { id: userId, email: "new@example.com" }, "email_change", null);
 * });
 * ```
 */
export async function sendVerification(
  tx: Queryable,
  deps: MailDeps,
  user: Pick<User, "id" | "email">,
  reason: VerificationReason,
  meta: RequestMeta | null,
): Promise<void> {
  const email = normalizeEmail(user.email);
  const token = await issueEmailToken(tx, VERIFY_EMAIL_TOKENS, {
    userId: user.id,
    email,
  }, VERIFY_EMAIL_TTL_MS);
  await deps.mailer.send(
    tx,
    renderEmail({
      to: email,
      kind: "verify_email",
      subject: "Confirm your email address",
      heading: "Confirm your email address",
      paragraphs: [
        reason === "email_change"
          ? `Your Islet account now uses ${email}. Confirm that this address is yours by opening the link below and pressing the button on the page it opens.`
          : `Thanks for signing up to Islet. Confirm that ${email} is your address by opening the link below and pressing the button on the page it opens.`,
      ],
      action: {
        label: "Confirm my email address",
        url: appLink(deps.config, VERIFY_EMAIL_PATH, { token }),
      },
      after: [
        "The link works once, for 24 hours. Opening it changes nothing until you press the button.",
        "If you did not ask for this, ignore this email: the address stays unconfirmed.",
      ],
    }),
  );
  await audit(tx, {
    userId: user.id,
    event: "auth.verification_sent",
    ip: meta?.ip ?? null,
    userAgent: meta?.userAgent ?? null,
    details: { reason },
  });
}

/** Outcome of {@linkcode verifyEmail}. */
export type VerifyEmailResult =
  | { ok: true; userId: string; email: string }
  | Failure<"invalid">;

/** What each refusal says: clear, with the way forward. */
export const VERIFY_REFUSALS: Readonly<
  Record<TokenRefusal | "stale_address", string>
> = {
  unknown:
    "This confirmation link does not work: it was already used, or it was not copied whole. If your address is not confirmed yet, sign in and send yourself a new link.",
  expired:
    "This confirmation link has expired (links work for 24 hours). Sign in and send yourself a new one.",
  other_account:
    "This confirmation link is for another account than the one signed in here. Sign out, then open the link again.",
  stale_address:
    "This confirmation link was sent to an address that the account no longer uses.",
};

// Thrown inside the transaction to roll the token's use back.
class Refused extends Error {
  constructor(readonly reason: keyof typeof VERIFY_REFUSALS) {
    super(reason);
  }
}

/**
 * Confirms the address a token was sent to: the token is used up, the
 * account marked verified and its other verification links ended, in one
 * transaction. Refused (and nothing written) when the token is unknown,
 * used, tampered with or expired, when `signedInUserId` is another
 * account, or when the account's address changed since the link was sent.
 *
 * @example
 * ```ts
 * import type { Db } from "../db/db.ts";
 * declare const db: Db;
 * declare const token: string;
 * const meta = { ip: "203.0.113.9", userAgent: "Mozilla/5.0" };
 * const result = await verifyEmail(db, token, { signedInUserId: undefined, meta });
 * if (!result.ok) console.log(result.error);
 * ```
 */
export async function verifyEmail(
  db: Db,
  token: unknown,
  opts: { signedInUserId: string | undefined; meta: RequestMeta },
): Promise<VerifyEmailResult> {
  try {
    return await db.transaction(async (tx) => {
      const used = await consumeEmailToken(tx, VERIFY_EMAIL_TOKENS, token, {
        userId: opts.signedInUserId,
      });
      if (!used.ok) throw new Refused(used.reason);
      const user = await getUserById(tx, used.userId);
      if (user === null || used.email !== normalizeEmail(user.email)) {
        throw new Refused("stale_address");
      }
      if (user.emailVerifiedAt === null) {
        await markEmailVerified(tx, user.id);
      }
      await deleteEmailTokens(tx, VERIFY_EMAIL_TOKENS, user.id);
      await audit(tx, {
        userId: user.id,
        event: "auth.email_verified",
        ip: opts.meta.ip,
        userAgent: opts.meta.userAgent,
      });
      return { ok: true as const, userId: user.id, email: user.email };
    });
  } catch (err) {
    if (err instanceof Refused) {
      return failure("invalid", VERIFY_REFUSALS[err.reason]);
    }
    throw err;
  }
}

/**
 * The per-account resend limit (3 per 10 minutes): counts this request and
 * returns the seconds to wait, 0 when it may go ahead.
 */
export type ResendLimiter = (userId: string) => Promise<number>;

/** Outcome of {@linkcode resendVerification}. */
export type ResendResult =
  | { ok: true; email: string; alreadyVerified: boolean }
  | Failure<"rate_limited">;

/**
 * Sends the signed-in user a new verification link (older ones keep
 * working until used or expired: all go to the same address). An
 * address already confirmed gets nothing, and the request is not counted.
 *
 * @example
 * ```ts
 * import type { Db } from "../db/db.ts";
 * import type { User } from "../db/users.ts";
 * declare const db: Db;
 * declare const deps: MailDeps;
 * declare const user: User;
 * const limiter: ResendLimiter = () => Promise.resolve(0);
 * const meta = { ip: "203.0.113.9", userAgent: "Mozilla/5.0" };
 * const result = await resendVerification(db, deps, limiter, user, meta);
 * ```
 */
export async function resendVerification(
  db: Db,
  deps: MailDeps,
  limiter: ResendLimiter,
  user: Pick<User, "id">,
  meta: RequestMeta,
): Promise<ResendResult> {
  // Re-read: the session's copy of the user may predate a verification
  // made a moment ago on another device.
  const current = await getUserById(db, user.id);
  if (current === null) throw new Error("The signed-in account is gone");
  if (current.emailVerifiedAt !== null) {
    return { ok: true, email: current.email, alreadyVerified: true };
  }
  const wait = await limiter(current.id);
  if (wait > 0) {
    return failure(
      "rate_limited",
      `You asked for several links in a short time; wait ${wait} seconds before asking again`,
      { retryAfterSeconds: wait, by: "account" },
    );
  }
  await db.transaction((tx) =>
    sendVerification(tx, deps, current, "resend", meta)
  );
  return { ok: true, email: current.email, alreadyVerified: false };
}
