/**
 * The mails of password reset and email change that carry a link to act
 * on (a reset link, a confirmation, the reset after an undo), each from
 * the one template (`renderEmail`: a text and an accessible HTML part from
 * the same words). The notices that something changed (password changed,
 * email changed) are security notices: `lib/email/notices.ts`.
 *
 * @module
 */
import type { EmailMessage } from "../email/mail.ts";
import { appLink, renderEmail } from "../email/template.ts";
import type { AccountMeta } from "./account_deps.ts";

/**
 * An absolute link into the app: `path` on APP_URL, with query `params`.
 *
 * @example
 * ```ts
 * accountLink(new URL("https://islet.example"), "/reset-password", { token: "abc" });
 * // "https://islet.example/reset-password?token=abc"
 * ```
 */
export function accountLink(
  appUrl: URL,
  path: string,
  params: Record<string, string> = {},
): string {
  return appLink({ appUrl }, path, params);
}

/**
 * "on 3 May 2026 at 14:05 UTC, from Firefox on Linux at 203.0.113.9".
 *
 * @example
 * ```ts
 * whenAndWhere(0, { ip: "203.0.113.9", userAgent: null, device: "Unknown device" });
 * // "on 1 January 1970 at 00:00 UTC, from Unknown device at 203.0.113.9"
 * ```
 */
export function whenAndWhere(at: number, meta: AccountMeta): string {
  const d = new Date(at);
  const date = d.toLocaleDateString("en-GB", {
    timeZone: "UTC",
    day: "numeric",
    month: "long",
    year: "numeric",
  });
  const time = d.toISOString().slice(11, 16);
  return `on ${date} at ${time} UTC, from ${meta.device} at ${meta.ip}`;
}

/** What a notice suggests when it was not the reader. */
function notYou(appUrl: URL): string {
  return `If this was not you, reset your password at once: ${
    accountLink(appUrl, "/forgot-password")
  } . A reset signs out every device.`;
}

/**
 * The reset link, to the account's address.
 *
 * @example
 * ```ts
 * import type { AccountMeta } from "./account_deps.ts";
 * declare const meta: AccountMeta;
 * resetLinkMail(new URL("http://localhost:8000"), "ada@example.com", "token", Date.now(), meta);
 * ```
 */
export function resetLinkMail(
  appUrl: URL,
  to: string,
  token: string,
  at: number,
  meta: AccountMeta,
): EmailMessage {
  return renderEmail({
    to,
    kind: "password_reset",
    subject: "Reset your Islet password",
    heading: "Reset your password",
    paragraphs: [
      `Someone asked to reset the password of the Islet account for ${to} ${
        whenAndWhere(at, meta)
      }.`,
      "The link below works once, within one hour.",
    ],
    action: {
      label: "Choose a new password",
      url: accountLink(appUrl, "/reset-password", { token }),
    },
    after: [
      "If you did not ask for this, ignore this email: your password stays as it is.",
    ],
  });
}

/**
 * To an address that has no account, when someone asked to reset it: the
 * same work as a real reset mail, and a useful answer for a person who
 * forgot which address they signed up with.
 *
 * @example
 * ```ts
 * import type { AccountMeta } from "./account_deps.ts";
 * declare const meta: AccountMeta;
 * resetNoAccountMail(new URL("http://localhost:8000"), "nobody@example.com", Date.now(), meta);
 * ```
 */
export function resetNoAccountMail(
  appUrl: URL,
  to: string,
  at: number,
  meta: AccountMeta,
): EmailMessage {
  return renderEmail({
    to,
    kind: "password_reset_no_account",
    subject: "Islet password reset",
    heading: "No Islet account uses this address",
    paragraphs: [
      `Someone asked to reset the password of an Islet account for ${to} ${
        whenAndWhere(at, meta)
      }, but no account uses this address.`,
      "If it was you, you may have signed up with another address: try that one.",
    ],
    action: {
      label: "Create an account",
      url: accountLink(appUrl, "/signup"),
    },
    after: ["If you did not ask for this, ignore this email."],
  });
}

/**
 * The link that confirms a new address, sent to it.
 *
 * @example
 * ```ts
 * import type { AccountMeta } from "./account_deps.ts";
 * declare const meta: AccountMeta;
 * emailChangeConfirmMail(new URL("http://localhost:8000"), "ada@example.org", "token", Date.now(), meta);
 * ```
 */
export function emailChangeConfirmMail(
  appUrl: URL,
  to: string,
  token: string,
  at: number,
  meta: AccountMeta,
): EmailMessage {
  return renderEmail({
    to,
    kind: "email_change_confirm",
    subject: "Confirm your new Islet email address",
    heading: "Confirm your new email address",
    paragraphs: [
      `Someone asked ${
        whenAndWhere(at, meta)
      } to move an Islet account to this address, ${to}.`,
      "The account changes to this address when you open the link below and press the button, within 24 hours.",
    ],
    action: {
      label: "Confirm this address",
      url: accountLink(appUrl, "/confirm-email-change", { token }),
    },
    after: ["If you did not ask for this, ignore this email: nothing changes."],
  });
}

/**
 * To an address that already has an account, when someone asked to move
 * another account to it: the same work as a confirmation, and nothing
 * changes.
 *
 * @example
 * ```ts
 * import type { AccountMeta } from "./account_deps.ts";
 * declare const meta: AccountMeta;
 * emailChangeTakenMail(new URL("http://localhost:8000"), "ada@example.org", Date.now(), meta);
 * ```
 */
export function emailChangeTakenMail(
  appUrl: URL,
  to: string,
  at: number,
  meta: AccountMeta,
): EmailMessage {
  return renderEmail({
    to,
    kind: "email_change_taken",
    subject: "Someone tried to use your Islet email address",
    heading: "Someone tried to use your address",
    paragraphs: [
      `Someone asked ${
        whenAndWhere(at, meta)
      } to move another Islet account to this address, ${to}. Your account already uses it, so nothing changed.`,
    ],
    action: { label: "Sign in", url: accountLink(appUrl, "/login") },
    after: [notYou(appUrl)],
  });
}

/**
 * After an undo, to the restored address: a reset link, since whoever
 * changed the address may know the password.
 *
 * @example
 * ```ts
 * import type { AccountMeta } from "./account_deps.ts";
 * declare const meta: AccountMeta;
 * emailChangeUndoneMail(new URL("http://localhost:8000"), "ada@example.com", "token", Date.now(), meta);
 * ```
 */
export function emailChangeUndoneMail(
  appUrl: URL,
  to: string,
  resetToken: string,
  at: number,
  meta: AccountMeta,
): EmailMessage {
  return renderEmail({
    to,
    kind: "email_change_undone",
    subject: "Your Islet email address is back",
    heading: "Your email address is back",
    paragraphs: [
      `Your Islet account uses ${to} again (undone ${
        whenAndWhere(at, meta)
      }). Every device has been signed out.`,
      "Whoever changed your address may know your password: choose a new one now. The link works once, within one hour.",
    ],
    action: {
      label: "Choose a new password",
      url: accountLink(appUrl, "/reset-password", { token: resetToken }),
    },
  });
}
