/**
 * One-time notices after an action ("2 other sessions were signed out"),
 * by post/redirect/get: the action sets a short-lived cookie and redirects;
 * the page that shows the notice reads the cookie and clears it in the same
 * answer, so a reload does not show it again.
 *
 * The cookie names a message, never carries its text: its value is a kind
 * from a fixed list plus at most two small numbers (a count, or a device's
 * browser and system ids), checked strictly when read. A forged cookie can
 * at worst pick another of our own sentences.
 *
 * @module
 */
import { FEW_RECOVERY_CODES } from "../auth/second_factor.ts";
import { readCookie } from "../http/cookie.ts";
import { type DeviceIds, deviceLabelOf } from "./device.ts";

/** A notice to show once. */
export type Flash =
  | { kind: "signed_out" }
  | { kind: "session_expired" }
  | { kind: "others_ended"; count: number }
  | { kind: "session_ended"; device: DeviceIds }
  | { kind: "session_gone" }
  | { kind: "email_verified" }
  | { kind: "verification_sent" }
  | { kind: "password_reset" }
  | { kind: "password_changed"; count: number }
  | { kind: "email_change_sent" }
  | { kind: "preferences_saved" }
  | { kind: "account_deleted" }
  | { kind: "not_me_done"; count: number }
  | { kind: "sign_in_timed_out" }
  | { kind: "recovery_code_used"; count: number }
  | { kind: "two_factor_disabled" }
  // After connecting or disconnecting a provider from settings; `provider`
  // is its index in `services.oauth.list` (past its end: one no longer
  // configured; a cookie names no text), worded by `flashMessage(flash, names)`.
  | { kind: "oauth_connected"; provider: number }
  | { kind: "oauth_taken"; provider: number }
  | { kind: "oauth_already_linked"; provider: number }
  | { kind: "oauth_disconnected"; provider: number };

/** The kinds of {@linkcode Flash}. */
export type FlashKind = Flash["kind"];

/** How long a flash waits for its page, in seconds: long enough for one redirect. */
export const FLASH_MAX_AGE = 60;

/** Counts above this are shown as this (nobody has ten thousand sessions). */
export const MAX_FLASH_NUMBER = 9999;

const NUMBERS: Record<FlashKind, number> = {
  signed_out: 0,
  session_expired: 0,
  session_gone: 0,
  email_verified: 0,
  verification_sent: 0,
  others_ended: 1,
  session_ended: 2,
  password_reset: 0,
  password_changed: 1,
  email_change_sent: 0,
  preferences_saved: 0,
  account_deleted: 0,
  not_me_done: 1,
  sign_in_timed_out: 0,
  recovery_code_used: 1,
  two_factor_disabled: 0,
  oauth_connected: 1,
  oauth_taken: 1,
  oauth_already_linked: 1,
  oauth_disconnected: 1,
};

// A kind, then up to two numbers without leading zeros, dot-separated.
const SHAPE = /^([a-z_]{1,20})((?:\.(?:0|[1-9][0-9]{0,3})){0,2})$/;

/**
 * The cookie value for a flash.
 *
 * @example
 * ```ts
 * encodeFlash({ kind: "others_ended", count: 3 }); // "others_ended.3"
 * ```
 */
export function encodeFlash(flash: Flash): string {
  const n = (x: number) =>
    String(Math.min(MAX_FLASH_NUMBER, Math.max(0, Math.trunc(x) || 0)));
  switch (flash.kind) {
    case "others_ended":
    case "password_changed":
    case "not_me_done":
    case "recovery_code_used":
      return `${flash.kind}.${n(flash.count)}`;
    case "oauth_connected":
    case "oauth_taken":
    case "oauth_already_linked":
    case "oauth_disconnected":
      return `${flash.kind}.${n(flash.provider)}`;
    case "session_ended":
      return `${flash.kind}.${n(flash.device.browser)}.${
        n(flash.device.system)
      }`;
    default:
      return flash.kind;
  }
}

/**
 * The flash a cookie value names, or null when it is not exactly one of
 * ours (unknown kind, wrong number of numbers, device ids out of range).
 *
 * @example
 * ```ts
 * decodeFlash("others_ended.2"); // { kind: "others_ended", count: 2 }
 * decodeFlash("<script>");       // null
 * ```
 */
export function decodeFlash(value: string): Flash | null {
  const match = SHAPE.exec(value);
  if (match === null || !Object.hasOwn(NUMBERS, match[1])) return null;
  const kind = match[1] as FlashKind;
  const numbers = match[2] === "" ? [] : match[2].slice(1).split(".").map(
    Number,
  );
  if (numbers.length !== NUMBERS[kind]) return null;
  switch (kind) {
    case "others_ended":
    case "password_changed":
    case "not_me_done":
    case "recovery_code_used":
      return { kind, count: numbers[0] };
    case "oauth_connected":
    case "oauth_taken":
    case "oauth_already_linked":
    case "oauth_disconnected":
      return { kind, provider: numbers[0] };
    case "session_ended": {
      const device = { browser: numbers[0], system: numbers[1] };
      return deviceLabelOf(device) === null ? null : { kind, device };
    }
    default:
      return { kind } as Flash;
  }
}

/**
 * What the notice says. `providers` are the configured sign-in providers'
 * names in `services.oauth.list` order, for the kinds that name one (the
 * cookie carries the index, never the name).
 *
 * @example
 * ```ts
 * flashMessage({ kind: "others_ended", count: 1 }); // "1 other session was signed out."
 * flashMessage({ kind: "oauth_connected", provider: 0 }, ["GitHub"]); // "GitHub is connected. You can now sign in with it."
 * flashMessage({ kind: "oauth_disconnected", provider: 0 }, ["GitHub"]); // "GitHub is disconnected."
 * ```
 */
export function flashMessage(
  flash: Flash,
  providers: readonly string[] = [],
): string {
  switch (flash.kind) {
    case "signed_out":
      return "You have signed out.";
    case "session_expired":
      return "You were signed out (your session ended on another device or expired).";
    case "session_gone":
      return "That session had already ended.";
    case "email_verified":
      return "Email confirmed.";
    case "verification_sent":
      return "We sent you a new confirmation link. It works for 24 hours.";
    case "others_ended":
      if (flash.count === 0) return "There were no other sessions to sign out.";
      return flash.count === 1
        ? "1 other session was signed out."
        : `${flash.count} other sessions were signed out.`;
    case "session_ended":
      return `The session on ${deviceLabelOf(flash.device)} was ended.`;
    case "password_reset":
      return "Your password was changed and every device signed out. Sign in with your new password.";
    case "password_changed":
      return `Your password was changed. ${
        flash.count === 0
          ? "No other device was signed in."
          : flash.count === 1
          ? "1 other session was signed out."
          : `${flash.count} other sessions were signed out.`
      }`;
    case "email_change_sent":
      return "Check the inbox of the new address: your address changes when you open the link we sent there.";
    case "preferences_saved":
      return "Your preferences were saved.";
    case "account_deleted":
      return "Your account has been deleted. We sent a confirmation to its email address.";
    case "not_me_done":
      return flash.count === 1
        ? "1 session of your account was ended."
        : `${flash.count} sessions of your account were ended.`;
    case "sign_in_timed_out":
      return "Your sign-in timed out: the code must be entered within 10 minutes of the password. Sign in again.";
    case "recovery_code_used":
      return recoveryCodesLeftMessage(flash.count);
    case "two_factor_disabled":
      return "Two-factor authentication is off. Signing in takes only your password now, and your recovery codes no longer work.";
    case "oauth_connected":
    case "oauth_taken":
    case "oauth_already_linked":
    case "oauth_disconnected":
      return oauthLinkMessage(flash, providers[flash.provider]);
  }
}

/** The words after a connection from settings; a generic name when the index names no provider (config changed). */
function oauthLinkMessage(
  flash: Extract<Flash, { provider: number }>,
  name: string | undefined,
): string {
  switch (flash.kind) {
    case "oauth_connected":
      return `${
        name ?? "The provider"
      } is connected. You can now sign in with it.`;
    case "oauth_taken":
      return `${
        name === undefined ? "That account" : `That ${name} account`
      } is already connected to another Islet account, so it was not connected to this one. Sign in to the other account and disconnect it there first.`;
    case "oauth_already_linked":
      return `Your account already has ${
        name === undefined ? "an account of that provider" : `a ${name} account`
      } connected. To use a different one, disconnect the current one first.`;
    case "oauth_disconnected":
      return name === undefined
        ? "The account is disconnected: it can no longer be used to sign in here."
        : `${name} is disconnected.`;
  }
}

/**
 * What the page after a sign-in with a recovery code says: the code is
 * spent, how many are left, and (when few are) to make a new set.
 *
 * @example
 * ```ts
 * recoveryCodesLeftMessage(7); // "You signed in with a recovery code. It cannot be used again; 7 are left."
 * ```
 */
export function recoveryCodesLeftMessage(left: number): string {
  const used = "You signed in with a recovery code.";
  const where = "in Settings, under Security";
  if (left === 0) {
    return `${used} It was your last one. Make a new set now ${where}: without codes, losing your authenticator app would lock you out.`;
  }
  const count = left === 1 ? "1 is" : `${left} are`;
  if (left <= FEW_RECOVERY_CODES) {
    return `${used} Only ${count} left: make a new set ${where}, before you run out.`;
  }
  return `${used} It cannot be used again; ${count} left.`;
}

/**
 * Whether a flash is a warning (shown as one) rather than a confirmation.
 *
 * @example
 * ```ts
 * isWarningFlash({ kind: "recovery_code_used", count: 1 }); // true
 * isWarningFlash({ kind: "signed_out" });                   // false
 * ```
 */
export function isWarningFlash(flash: Flash): boolean {
  if (flash.kind === "oauth_taken" || flash.kind === "oauth_already_linked") {
    return true;
  }
  return flash.kind === "recovery_code_used" &&
    flash.count <= FEW_RECOVERY_CODES;
}

/**
 * The cookie's name: `__Host-` over HTTPS, so a sibling host cannot plant it.
 *
 * @example
 * ```ts
 * flashCookieName(true); // "__Host-flash"
 * ```
 */
export function flashCookieName(secure: boolean): string {
  return secure ? "__Host-flash" : "flash";
}

function attributes(secure: boolean): string {
  return `Path=/; HttpOnly; SameSite=Lax${secure ? "; Secure" : ""}`;
}

/**
 * A `Set-Cookie` value that leaves a flash for the next page.
 *
 * @example
 * ```ts
 * const headers = new Headers({ location: "/login" });
 * headers.append("set-cookie", flashCookie({ kind: "signed_out" }, false));
 * ```
 */
export function flashCookie(flash: Flash, secure: boolean): string {
  return `${flashCookieName(secure)}=${encodeFlash(flash)}; ${
    attributes(secure)
  }; Max-Age=${FLASH_MAX_AGE}`;
}

/**
 * A `Set-Cookie` value that removes the flash.
 *
 * @example
 * ```ts
 * clearFlashCookie(false); // "flash=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0"
 * ```
 */
export function clearFlashCookie(secure: boolean): string {
  return `${flashCookieName(secure)}=; ${attributes(secure)}; Max-Age=0`;
}

/** What {@linkcode takeFlash} found. */
export interface TakenFlash {
  /** The sentence to show, or null. */
  message: string | null;
  /** Whether to show it as a warning ({@linkcode isWarningFlash}). */
  warning: boolean;
  /** Headers for the page's answer: clear the cookie, do not cache. Empty when there was nothing to take. */
  headers: Record<string, string>;
}

/**
 * Reads the request's flash if it is one of the kinds this page shows,
 * and the headers that clear it. A flash of another kind is left for its
 * own page; a malformed one is cleared and shows nothing. `providers`
 * names the sign-in providers (`services.oauth.list` order) for the kinds
 * about one.
 *
 * @example
 * ```ts
 * const req = new Request("http://localhost/login", { headers: { cookie: "flash=signed_out" } });
 * const flash = takeFlash(req, false, ["signed_out", "session_expired"]);
 * flash.message; // "You have signed out."
 * new Response(`<p>${flash.message}</p>`, { headers: flash.headers });
 * ```
 */
export function takeFlash(
  req: Request,
  secure: boolean,
  accept: readonly FlashKind[],
  providers: readonly string[] = [],
): TakenFlash {
  const raw = readCookie(req.headers.get("cookie"), flashCookieName(secure));
  if (raw === null) return { message: null, warning: false, headers: {} };
  const flash = decodeFlash(raw);
  if (flash !== null && !accept.includes(flash.kind)) {
    return { message: null, warning: false, headers: {} };
  }
  return {
    message: flash === null ? null : flashMessage(flash, providers),
    warning: flash !== null && isWarningFlash(flash),
    headers: {
      "set-cookie": clearFlashCookie(secure),
      "cache-control": "no-store",
    },
  };
}
