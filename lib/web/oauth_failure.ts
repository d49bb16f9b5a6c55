/**
 * Why a sign-in (or a connection) through a provider ended on a page
 * instead of signing someone in, its HTTP status, and its words. One
 * table, so every way a flow can fail reads the same and has a status
 * from one rule:
 *
 * - 4xx when the person, their browser or the flow is the problem (they
 *   said no at the provider, the flow is missing, old, replayed or not
 *   theirs, the provider gave no address, the address belongs to an
 *   account that must sign in with its password first);
 * - 502 when the provider answered but failed (an error it reported, an
 *   answer the protocol does not allow: a bad ID token, a malformed body);
 * - 504 when the provider could not be reached or did not answer in time.
 *
 * Nothing here names a token, a code or a provider's own error text: the
 * page says what happened in plain words and what to do next, and the
 * pages offer "Try again" (a new flow, same target) and "Sign in with your
 * password".
 *
 * @module
 */
import { CONNECTIONS_PATH } from "../oauth/accounts_link.ts";
import type { OAuthFailureReason } from "../oauth/provider.ts";

/** Every reason a provider flow ends on its page. */
export type OAuthProblemReason =
  | OAuthFailureReason
  /** An Islet account already uses the provider's address (the pre-hijack defence). */
  | "email_taken"
  /** No provider is configured under this id. */
  | "unknown_provider"
  /** The start URL asked for something that does not exist (an unknown `intent`). */
  | "bad_request"
  /** A connection started from another site (`Sec-Fetch-Site` cross-site or absent). */
  | "cross_site"
  /** A connection finishing in a browser no longer signed in as the account that started it. */
  | "wrong_account"
  /** Too many attempts from this network. */
  | "rate_limited";

/** The status of each reason (see the module comment for the rule). */
export const OAUTH_PROBLEM_STATUS: Readonly<
  Record<OAuthProblemReason, number>
> = {
  denied: 400,
  flow_missing: 400,
  flow_expired: 400,
  state_mismatch: 400,
  state_reused: 400,
  no_email: 400,
  bad_request: 400,
  cross_site: 403,
  wrong_account: 403,
  unknown_provider: 404,
  email_taken: 409,
  rate_limited: 429,
  provider_error: 502,
  invalid_response: 502,
  unreachable: 504,
};

/** What the failure page shows. */
export interface OAuthProblemWords {
  /** The heading and (with the product name) the document title. */
  title: string;
  /** What happened and what to do next, in one or two sentences. */
  message: string;
}

/**
 * The words of a failure. `provider` is the display name ("GitHub");
 * `email` is the address for `email_taken` (the person's own, from their
 * provider: shown back so they know which account to sign in to).
 *
 * @example
 * ```ts
 * oauthProblemWords("denied", "GitHub").title; // "You did not allow access at GitHub"
 * oauthProblemWords("email_taken", "GitHub", "ada@example.com").message;
 * // "An Islet account already uses ada@example.com. Sign in with your password, then connect GitHub in Settings → Connected accounts."
 * ```
 */
export function oauthProblemWords(
  reason: OAuthProblemReason,
  provider: string,
  email?: string | null,
): OAuthProblemWords {
  const nothing = "Nothing was changed.";
  switch (reason) {
    case "denied":
      return {
        title: `You did not allow access at ${provider}`,
        message:
          `${provider} says you chose not to let Islet use your account there, so you are not signed in. ${nothing} To use ${provider}, try again and allow access.`,
      };
    case "provider_error":
      return {
        title: `${provider} could not complete the sign-in`,
        message:
          `${provider} reported an error and did not sign you in. ${nothing} Try again; if it keeps happening, sign in with your password.`,
      };
    case "invalid_response":
      return {
        title: `${provider} sent an answer Islet cannot trust`,
        message:
          `What ${provider} sent back did not pass Islet's checks, so you are not signed in. ${nothing} Try again; if it keeps happening, sign in with your password.`,
      };
    case "unreachable":
      return {
        title: `${provider} did not answer`,
        message:
          `Islet could not reach ${provider} just now, so you are not signed in. ${nothing} Try again in a moment, or sign in with your password.`,
      };
    case "flow_missing":
      return {
        title: "This sign-in was not started here",
        message:
          `Islet has no record of a sign-in with ${provider} in this browser: it may have finished already, or cookies may be blocked. ${nothing} Start again from the sign-in page.`,
      };
    case "flow_expired":
      return {
        title: "This sign-in took too long",
        message:
          `A sign-in with ${provider} must be finished within 10 minutes. ${nothing} Start again.`,
      };
    case "state_mismatch":
      return {
        title: "This sign-in does not match the one you started",
        message:
          `The answer from ${provider} belongs to another sign-in than the one this browser started, so it was refused. ${nothing} Start again from the sign-in page.`,
      };
    case "state_reused":
      return {
        title: "This sign-in link was already used",
        message:
          `Each answer from ${provider} works once, and this one was used before. ${nothing} Start again from the sign-in page.`,
      };
    case "no_email":
      return {
        title: `${provider} did not give an email address`,
        message:
          `Islet needs an email address to make or find your account, and ${provider} did not share one. ${nothing} Add an address to your ${provider} account (or allow Islet to see it), then try again, or sign up with your email.`,
      };
    case "email_taken":
      return {
        title: "This address already has an account",
        message: `An Islet account already uses ${
          email ?? "this email address"
        }. Sign in with your password, then connect ${provider} in Settings → Connected accounts.`,
      };
    case "unknown_provider":
      return {
        title: "This sign-in provider is not available",
        message:
          "Islet does not offer sign-in with that provider. Sign in with one listed on the sign-in page, or with your password.",
      };
    case "bad_request":
      return {
        title: "This sign-in link is not right",
        message:
          `The link to sign in with ${provider} is malformed. ${nothing} Start again from the sign-in page.`,
      };
    case "cross_site":
      return {
        title: "Connect it from your settings",
        message:
          `For your safety, ${provider} can only be connected from Islet's own settings page, and this request came from somewhere else. ${nothing} Open Settings → Connected accounts and choose Connect there.`,
      };
    case "wrong_account":
      return {
        title: `${provider} was not connected`,
        message:
          `This browser is no longer signed in to the Islet account that started connecting ${provider}. ${nothing} Sign in, then connect it again from Settings → Connected accounts.`,
      };
    case "rate_limited":
      return {
        title: "Too many attempts",
        message:
          "There were too many sign-in attempts from your network. Wait a few minutes, then try again.",
      };
  }
}

/** Which flow failed: what "Try again" starts and where the other way leads. */
export interface OAuthProblemContext {
  /** The configured provider, or null when the id names none. */
  provider: { id: string; name: string } | null;
  intent: "sign_in" | "link";
  /** Where the sign-in was going (already checked by `safeNext`). */
  next: string;
  /** For `email_taken`: the provider's address. */
  email?: string | null;
  /** For `rate_limited`: when trying again may work. */
  retryAfterSeconds?: number;
}

/** Everything the failure page and its answer need. */
export interface OAuthProblem extends OAuthProblemWords {
  reason: OAuthProblemReason;
  status: number;
  /** "Try again": a new flow to the same place; null when there is no such provider. */
  retry: string | null;
  /** The other way: the password sign-in (with the same `next`), or the connections page. */
  other: { href: string; label: string };
  retryAfterSeconds?: number;
}

/** Where a link from settings goes back to (the Connected accounts page). */
export const CONNECTIONS_PAGE = CONNECTIONS_PATH;

/**
 * The start URL of a flow: `/oauth/<id>?next=…` for a sign-in,
 * `/oauth/<id>?intent=link` to connect from settings.
 *
 * @example
 * ```ts
 * oauthStartPath("github", "sign_in", "/settings?tab=1"); // "/oauth/github?next=%2Fsettings%3Ftab%3D1"
 * oauthStartPath("acme", "link", "/settings/connections"); // "/oauth/acme?intent=link"
 * ```
 */
export function oauthStartPath(
  id: string,
  intent: "sign_in" | "link",
  next: string,
): string {
  const path = `/oauth/${encodeURIComponent(id)}`;
  // `'` too, as a URL's query spells it (encodeURIComponent leaves it):
  // the link is then a fixed point of safeNext, the form every other
  // target takes.
  return intent === "link"
    ? `${path}?intent=link`
    : `${path}?next=${encodeURIComponent(next).replaceAll("'", "%27")}`;
}

/**
 * The failure page's content for a reason, in its flow's context.
 *
 * @example
 * ```ts
 * const p = oauthProblem("unreachable", {
 *   provider: { id: "github", name: "GitHub" },
 *   intent: "sign_in",
 *   next: "/dashboard",
 * });
 * p.status; // 504
 * p.retry; // "/oauth/github?next=%2Fdashboard"
 * p.other.href; // "/login?next=%2Fdashboard"
 * ```
 */
export function oauthProblem(
  reason: OAuthProblemReason,
  c: OAuthProblemContext,
): OAuthProblem {
  const words = oauthProblemWords(
    reason,
    c.provider?.name ?? "the provider",
    c.email,
  );
  return {
    reason,
    status: OAUTH_PROBLEM_STATUS[reason],
    ...words,
    retry: c.provider === null
      ? null
      : oauthStartPath(c.provider.id, c.intent, c.next),
    other: c.intent === "link"
      ? { href: CONNECTIONS_PAGE, label: "Back to Connected accounts" }
      : {
        href: `/login?next=${encodeURIComponent(c.next)}`,
        label: "Sign in with your password",
      },
    ...(c.retryAfterSeconds === undefined
      ? {}
      : { retryAfterSeconds: c.retryAfterSeconds }),
  };
}

/**
 * How a provider flow's request is answered: a 303 (to the provider, or
 * back into Islet), or the failure page. `cookies` are Set-Cookie values
 * (the flow cookie, made or cleared; the session; a flash).
 */
export type OAuthAnswer =
  | { kind: "redirect"; location: string; cookies: string[] }
  | { kind: "problem"; problem: OAuthProblem; cookies: string[] };

/**
 * The headers of an answer: its cookies, never cached, and (rate limits)
 * `Retry-After`; for a redirect, its `Location` too.
 *
 * @example
 * ```ts
 * const headers = oauthHeaders({ kind: "redirect", location: "/dashboard", cookies: ["oauth=; Max-Age=0"] });
 * headers.get("location"); // "/dashboard"
 * ```
 */
export function oauthHeaders(answer: OAuthAnswer): Headers {
  const headers = new Headers({ "cache-control": "no-store" });
  for (const cookie of answer.cookies) headers.append("set-cookie", cookie);
  if (answer.kind === "redirect") headers.set("location", answer.location);
  else if (answer.problem.retryAfterSeconds !== undefined) {
    headers.set("retry-after", String(answer.problem.retryAfterSeconds));
  }
  return headers;
}
