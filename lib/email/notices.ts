/**
 * Security notices: the emails that tell a person something happened to
 * their account (a sign-in from a new device, the password or email
 * changed, two-factor turned on or off, a recovery code used, a sign-in
 * provider connected or disconnected, the account deleted). One function
 * writes them all, so each
 * says the same things in the same order: what happened, when, from what
 * device and address, and what to do if it was not them.
 *
 * "What to do" is a "this wasn't me" link (`lib/account/not_me.ts`): it
 * opens a page whose button ends every session of the account and then
 * sends the person to reset their password. A deleted account gets no
 * link (there is nothing left to secure); its notice is the goodbye. A
 * changed email address gets its undo link in that place instead: ending
 * the sessions and resetting the password would send the reset link to
 * the new address, which may be the intruder's, while the undo puts the
 * old address back, ends every session and mails a reset link there.
 *
 * Call it with the transaction of the change it reports: the token and
 * the queued message commit with the change, or neither does.
 *
 * @module
 */
import type { Config } from "../config.ts";
import type { Queryable } from "../db/db.ts";
import type { RequestMeta } from "../auth/sign_up.ts";
import { issueNotMeToken } from "../account/not_me.ts";
import { formatUtcDateTime } from "../web/date_time.ts";
import { deviceLabel } from "../web/device.ts";
import type { Mailer } from "./mail.ts";
import { appLink, renderEmail } from "./template.ts";

/** The notices there are. */
export type SecurityNoticeKind =
  | "new_device"
  | "password_changed"
  | "email_changed"
  | "account_deleted"
  | "two_factor_enabled"
  | "two_factor_disabled"
  | "recovery_code_used"
  | "oauth_linked"
  | "oauth_unlinked";

/** What {@linkcode securityNotice} needs of the services. */
export interface NoticeDeps {
  mailer: Mailer;
  config: Pick<Config, "appUrl">;
}

/** One notice to send. */
export interface SecurityNotice {
  kind: SecurityNoticeKind;
  /** The account it is about. */
  user: { id: string; email: string };
  /** The recipient, when not `user.email` (the old address after an email change). */
  to?: string;
  /** Who made the change: their address and user agent. */
  meta: RequestMeta;
  /** When it happened (Unix ms); now by default. */
  at?: number;
  /**
   * The sign-in provider identity it is about (`oauth_linked`,
   * `oauth_unlinked`): the provider's name and how the identity is shown.
   */
  provider?: { name: string; label: string | null };
  /**
   * Paragraphs of this notice's own, after the facts: e.g. the new
   * address and the undo link of an email change.
   */
  extra?: string[];
  /**
   * The way back when it was not them, in place of the "this wasn't me"
   * link (the email change's undo link): its button, and what it does.
   */
  undo?: { label: string; url: string; after: string[] };
}

/** The path of the "this wasn't me" page. */
export const NOT_ME_PATH = "/account/not-me";

/** The audit event each notice is about, kept with its token. */
const EVENT: Record<SecurityNoticeKind, string> = {
  new_device: "auth.sign_in",
  password_changed: "auth.password_changed",
  email_changed: "auth.email_changed",
  account_deleted: "account.delete",
  two_factor_enabled: "auth.two_factor_enabled",
  two_factor_disabled: "auth.two_factor_disabled",
  recovery_code_used: "auth.recovery_code_used",
  oauth_linked: "oauth.linked",
  oauth_unlinked: "oauth.unlinked",
};

// "Your GitHub account (octocat)", as the provider notices name it.
function providerAccount(n: SecurityNotice): string {
  const name = n.provider?.name ?? "sign-in provider";
  const label = n.provider?.label ? ` (${n.provider.label})` : "";
  return `Your ${name} account${label}`;
}

const WORDS: Record<
  SecurityNoticeKind,
  {
    subject: string;
    heading: string;
    what: (email: string, notice: SecurityNotice) => string;
  }
> = {
  new_device: {
    subject: "New sign-in to your Islet account",
    heading: "A new device signed in to your account",
    what: (email) =>
      `Your Islet account (${email}) was just signed in to from a device it had not been used from before.`,
  },
  password_changed: {
    subject: "Your Islet password was changed",
    heading: "Your password was changed",
    what: (email) =>
      `The password of your Islet account (${email}) was changed.`,
  },
  email_changed: {
    subject: "The email address of your Islet account was changed",
    heading: "Your email address was changed",
    what: (email) =>
      `The email address of your Islet account was changed from ${email}.`,
  },
  account_deleted: {
    subject: "Your Islet account has been deleted",
    heading: "Your account has been deleted",
    what: (email) =>
      `Your Islet account (${email}) and everything stored with it has been deleted, and every session of it ended.`,
  },
  two_factor_enabled: {
    subject: "Two-factor sign-in is on for your Islet account",
    heading: "Two-factor sign-in was turned on",
    what: (email) =>
      `Two-factor sign-in was turned on for your Islet account (${email}). From now on, signing in also asks for a code from your authenticator app, or one of your recovery codes.`,
  },
  two_factor_disabled: {
    subject: "Two-factor sign-in is off for your Islet account",
    heading: "Two-factor sign-in was turned off",
    what: (email) =>
      `Two-factor sign-in was turned off for your Islet account (${email}). Signing in now needs only the password; your recovery codes no longer work.`,
  },
  recovery_code_used: {
    subject: "A recovery code was used on your Islet account",
    heading: "A recovery code was used",
    what: (email) =>
      `One of the recovery codes of your Islet account (${email}) was just used in place of a code from your authenticator app. That code cannot be used again.`,
  },
  oauth_linked: {
    subject: "A sign-in provider was connected to your Islet account",
    heading: "A sign-in provider was connected",
    what: (email, n) =>
      `${
        providerAccount(n)
      } was connected to your Islet account (${email}). It can now be used to sign in to your account.`,
  },
  oauth_unlinked: {
    subject: "A sign-in provider was disconnected from your Islet account",
    heading: "A sign-in provider was disconnected",
    what: (email, n) =>
      `${
        providerAccount(n)
      } was disconnected from your Islet account (${email}). It can no longer be used to sign in to your account.`,
  },
};

/**
 * Queues a security notice through `tx`, with a fresh "this wasn't me"
 * link unless the account is being deleted. Returns that link's token
 * (null for a deletion), for tests.
 *
 * @example
 * ```ts
 * import type { Queryable } from "../db/db.ts";
 * import type { User } from "../db/users.ts";
 * declare const tx: Queryable;
 * declare const deps: NoticeDeps;
 * declare const user: User;
 * await securityNotice(tx, deps, {
 *   kind: "password_changed",
 *   user,
 *   meta: { ip: "203.0.113.9", userAgent: "Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0" },
 * });
 * ```
 */
export async function securityNotice(
  tx: Queryable,
  deps: NoticeDeps,
  notice: SecurityNotice,
): Promise<string | null> {
  const at = notice.at ?? Date.now();
  const words = WORDS[notice.kind];
  const facts = [
    words.what(notice.user.email, notice),
    `When: ${formatUtcDateTime(at)}`,
    `Device: ${deviceLabel(notice.meta.userAgent)}`,
    `Address: ${notice.meta.ip || "unknown"}`,
    ...(notice.extra ?? []),
  ];
  let token: string | null = null;
  let action: { label: string; url: string } | undefined;
  let after: string[];
  if (notice.undo !== undefined) {
    action = { label: notice.undo.label, url: notice.undo.url };
    after = ["If this was you, there is nothing to do.", ...notice.undo.after];
  } else if (notice.kind === "account_deleted") {
    after = [
      "If this was you, there is nothing more to do. Thank you for using Islet.",
      "If it was not you, someone who knew your password deleted the account. It cannot be restored; if you use that password anywhere else, change it there now.",
    ];
  } else {
    token = await issueNotMeToken(tx, notice.user.id, EVENT[notice.kind], at);
    action = {
      label: "This wasn't me: secure my account",
      url: appLink(deps.config, NOT_ME_PATH, { token }),
    };
    after = [
      "If this was you, there is nothing to do.",
      "If it was not you, follow the link above: it signs out every device on your account at once, then takes you to choose a new password. The link works once, for 7 days.",
    ];
  }
  await deps.mailer.send(
    tx,
    renderEmail({
      to: notice.to ?? notice.user.email,
      kind: `security_${notice.kind}`,
      subject: words.subject,
      heading: words.heading,
      paragraphs: facts,
      action,
      after,
    }),
  );
  return token;
}
