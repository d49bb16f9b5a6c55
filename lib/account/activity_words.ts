/**
 * What each audit event means, said to the person whose account it is:
 * the one mapping from event name to sentence, for the security activity
 * page, its JSON and the data export. The table is keyed by every
 * `AuditEventName`, so adding an event without its sentence fails
 * type-checking; a name not in the list (an event written by an older or
 * newer version) gets a generic sentence, never its raw name.
 *
 * @module
 */
import type { AuditEntry, AuditEventName } from "../db/audit.ts";

type Describe = (details: Record<string, unknown> | null) => string;

function count(details: Record<string, unknown> | null, key: string): number {
  const n = details?.[key];
  return typeof n === "number" && Number.isInteger(n) && n >= 0 ? n : 0;
}

const PLAN_NAMES: Record<string, string> = {
  free: "Free",
  pro: "Pro",
  team: "Team",
};

function planChange(details: Record<string, unknown> | null): string {
  const name = (key: string) => {
    const v = details?.[key];
    return typeof v === "string" && Object.hasOwn(PLAN_NAMES, v)
      ? PLAN_NAMES[v]
      : null;
  };
  const from = name("from");
  const to = name("to");
  if (from === null || to === null) return "Your plan changed.";
  return `Your plan changed from ${from} to ${to}.`;
}

// The provider's display name from a row's details ("GitHub", "Acme
// SSO"): written by this app, but rows outlive versions, so anything odd
// is no name rather than a strange sentence.
function providerName(details: Record<string, unknown> | null): string | null {
  const v = details?.provider;
  if (typeof v !== "string") return null;
  const name = v.trim();
  return name === "" || name.length > 80 ? null : name;
}

// " (octocat)" when the row names how the identity was shown.
function labelOf(details: Record<string, unknown> | null): string {
  const v = details?.label;
  return typeof v === "string" && v.trim() !== "" && v.length <= 200
    ? ` (${v.trim()})`
    : "";
}

// "your GitHub account (octocat)", or "a sign-in provider account".
function identity(details: Record<string, unknown> | null): string {
  const name = providerName(details);
  return (name === null
    ? "a sign-in provider account"
    : `your ${name} account`) +
    labelOf(details);
}

const capital = (s: string) => `${s[0].toUpperCase()}${s.slice(1)}`;

function linked(details: Record<string, unknown> | null): string {
  const what = identity(details);
  return details?.via === "email"
    ? `${what[0].toUpperCase()}${
      what.slice(1)
    } was connected when you signed in with it: it gives the same verified email address as this account.`
    : `You connected ${what}, to sign in with.`;
}

/** One sentence per event, in the past tense, from the account owner's side. */
const SENTENCES = {
  "auth.sign_up": (d) => {
    const name = providerName(d);
    return name === null
      ? "You created your account."
      : `You created your account by signing in with ${name}.`;
  },
  "auth.sign_up_existing": () =>
    "Someone tried to create a new account with your email address.",
  "auth.verification_sent": () =>
    "We sent a link to confirm your email address.",
  "auth.email_verified": () => "You confirmed your email address.",
  // With two-factor on, the password alone is half a sign-in: the
  // second_factor_passed row that may follow says "You signed in".
  "auth.sign_in": (d) => {
    const name = providerName(d);
    if (d?.secondFactor === "pending") {
      return name === null
        ? "Your password was entered, and the code from your authenticator app was asked for."
        : `You signed in with ${name}, and the code from your authenticator app was asked for.`;
    }
    return name === null ? "You signed in." : `You signed in with ${name}.`;
  },
  "auth.sign_in_failed": (d) =>
    d?.during === "confirm_access"
      ? "Someone using one of your signed-in sessions typed a wrong password when asked to confirm it was you."
      : d?.reason === "no_password"
      ? "Someone tried to sign in with a password, but this account has none."
      : "Someone tried to sign in with a wrong password.",
  "auth.sign_out": () => "You signed out.",
  "session.end": () => "You ended a session on another device.",
  "session.end_others": (d) => {
    const n = count(d, "ended");
    if (n === 0) return "You signed out every other session (there were none).";
    return n === 1
      ? "You signed out 1 other session."
      : `You signed out ${n} other sessions.`;
  },
  "auth.password_reset_requested": () =>
    "A link to reset your password was requested.",
  "auth.password_reset": () =>
    "You reset your password; every session was signed out.",
  "auth.password_changed": () => "You changed your password.",
  "auth.email_change_requested": () =>
    "A change of your email address was requested.",
  "auth.email_changed": () => "You changed your email address.",
  "auth.email_change_undone": () =>
    "A change of your email address was undone; every session was signed out.",
  "session.end_all": () =>
    "Every session was ended from the link in a security email.",
  "security.new_device": () =>
    "We emailed you about a sign-in from a device not seen before.",
  "auth.two_factor_enabled": () => "You turned on two-factor sign-in.",
  "auth.two_factor_disabled": () => "You turned off two-factor sign-in.",
  "auth.recovery_codes_regenerated": () =>
    "You made new recovery codes; the old ones stopped working.",
  "auth.recovery_code_used": (d) => {
    const left = count(d, "left");
    return `A recovery code was used in place of an authenticator code (${
      left === 1 ? "1 code" : `${left} codes`
    } left).`;
  },
  "auth.second_factor_failed": (d) =>
    d?.method === "recovery_code"
      ? "Someone entered a wrong recovery code."
      : "Someone entered a wrong two-factor code.",
  "auth.second_factor_passed": (d) =>
    d?.method === "recovery_code"
      ? "You signed in, with a recovery code as second step."
      : "You signed in, with an authenticator code as second step.",
  "auth.access_confirmed": () =>
    "You confirmed it was you before a sensitive change.",
  "account.preferences": () => "You changed your preferences.",
  "account.export": () => "You downloaded a copy of your data.",
  "account.delete": () => "You deleted your account.",
  "account.delete_failed": () =>
    "Someone tried to delete your account with a wrong password.",
  "billing.plan_changed": (d) => planChange(d),
  "billing.payment_failed": () =>
    "A payment for your subscription failed; we emailed you how to fix it.",
  "billing.payment_disputed": () =>
    "A payment for your subscription was disputed with the card issuer.",
  "oauth.linked": linked,
  "oauth.unlinked": (d) =>
    d?.reason === "password_reset_unverified"
      ? `${
        capital(identity(d))
      } was disconnected when the password was reset, as the address had not been confirmed before.`
      : `You disconnected ${identity(d)}: it can no longer be used to sign in.`,
} satisfies Record<AuditEventName, Describe>;

/** What an event without a sentence of its own says. */
export const GENERIC_SENTENCE = "Something changed in your account's security.";

/**
 * The sentence for one recorded event.
 *
 * @example
 * ```ts
 * describeEvent({ event: "auth.sign_in", details: null }); // "You signed in."
 * describeEvent({ event: "billing.something_new", details: null }); // GENERIC_SENTENCE
 * ```
 */
export function describeEvent(
  entry: Pick<AuditEntry, "event" | "details">,
): string {
  if (!Object.hasOwn(SENTENCES, entry.event)) return GENERIC_SENTENCE;
  return SENTENCES[entry.event as AuditEventName](entry.details);
}

/**
 * Whether an event counts as a warning sign to the owner (failed
 * attempts, sessions ended from a security email, a recovery code used):
 * the page marks them.
 *
 * @example
 * ```ts
 * isWarning("auth.sign_in_failed"); // true
 * ```
 */
export function isWarning(event: string): boolean {
  return event === "auth.sign_in_failed" ||
    event === "account.delete_failed" || event === "session.end_all" ||
    event === "auth.second_factor_failed" ||
    event === "auth.recovery_code_used";
}
