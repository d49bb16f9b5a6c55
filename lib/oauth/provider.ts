/**
 * What every sign-in provider (GitHub, Google, any OpenID Connect issuer)
 * looks like to the rest of Islet: a client that makes the authorization
 * URL of one flow and turns the code that comes back into an
 * {@linkcode ProviderIdentity}, and the one error type that says why a
 * flow could not finish. The provider modules (`github.ts`, `oidc.ts`)
 * implement it over npm `arctic` (the authorization-code requests) and npm
 * `jose` (ID token signatures); the account rules (`accounts.ts`) and the
 * routes only ever see these types.
 *
 * @module
 */
import type { OAuthProvider } from "../db/oauth_accounts.ts";

export type { OAuthProvider };

/**
 * Who the provider says signed in. `providerUserId` is what is stored in
 * `oauth_accounts.provider_user_id`, made so that two identity sources can
 * never share one: GitHub's numeric user id on github.com, and
 * `"<web origin> <id>"` on a GitHub Enterprise host; Google's `sub`; for
 * any other OpenID Connect provider `"<issuer> <sub>"`.
 */
export interface ProviderIdentity {
  /** The `oauth_accounts.provider` column. */
  provider: OAuthProvider;
  /** The configured provider it came through (`github`, `google` or an OIDC slug). */
  providerId: string;
  /** The provider's display name ("GitHub", "Acme SSO"): for pages and emails. */
  providerName: string;
  providerUserId: string;
  /**
   * The address the provider gives (GitHub: the primary address of the
   * user's emails; OpenID Connect: the `email` claim), as given; null
   * when there is none.
   */
  email: string | null;
  /**
   * Whether the provider vouches for `email` (GitHub's `verified` flag on
   * the primary address; the `email_verified` claim). False when unsure:
   * an unverified address never links to an existing account.
   */
  emailVerified: boolean;
  /** A handle to make a username from: the GitHub login, `preferred_username` or `nickname`. */
  login: string | null;
  /** The person's name as the provider has it. */
  name: string | null;
  /**
   * How the identity is shown in settings and emails: the GitHub login,
   * else the email, else the provider user id.
   */
  label: string;
}

/** The secrets of one flow, made at its start and kept in its cookie (`flow.ts`). */
export interface FlowSecrets {
  /** Random, 32 bytes base64url: sent to the provider and compared on return. */
  state: string;
  /** PKCE code verifier (S256 challenge sent to the provider). */
  codeVerifier: string;
  /** OpenID Connect nonce (null for GitHub), compared with the ID token's. */
  nonce: string | null;
}

/** One configured provider, ready to run flows. */
export interface OAuthClient {
  /** The id in URLs and the flow cookie: `github`, `google` or an OIDC slug. */
  readonly id: string;
  /** Display name: "GitHub", "Google", or the configured OIDC name. */
  readonly name: string;
  /** The `oauth_accounts.provider` this client's identities get. */
  readonly provider: OAuthProvider;
  /**
   * Whether a stored `provider_user_id` (of `provider`) came from this
   * client: for an OIDC client, whether it starts with its issuer and a
   * space. Settings use it to name the provider of a linked identity.
   */
  owns(providerUserId: string): boolean;
  /**
   * The URL to send the browser to. OpenID Connect clients read the
   * issuer's discovery document first (cached), so this may throw
   * {@linkcode OAuthError} `unreachable`.
   */
  authorizationUrl(flow: FlowSecrets): Promise<URL>;
  /**
   * Exchanges the code (with the flow's verifier), checks what comes back
   * (the ID token's signature, issuer, audience, expiry and nonce; GitHub's
   * user and emails) and says who signed in. Throws {@linkcode OAuthError}.
   */
  identify(code: string, flow: FlowSecrets): Promise<ProviderIdentity>;
}

/**
 * Why a flow ended without an identity. Each has its own page (and
 * status) in `lib/web/oauth_*`; none writes anything.
 *
 * - `denied`: the person said no at the provider (`error=access_denied`).
 * - `provider_error`: the provider returned another error, on the callback
 *   or from the token endpoint (an expired or used code).
 * - `flow_missing`: no flow cookie (never started here, more than 10
 *   minutes ago, or already finished in this browser).
 * - `flow_expired`: the cookie is there but the flow started more than 10
 *   minutes ago.
 * - `state_mismatch`: the `state` that came back is not this flow's, or
 *   the callback is for another provider than the flow's.
 * - `state_reused`: this state was already used once (a replayed callback).
 * - `unreachable`: the provider did not answer in time, or answered 5xx.
 * - `invalid_response`: an answer that is not what the protocol says (a
 *   bad or unsigned ID token, a wrong issuer, audience or nonce, an
 *   expired token, a malformed JSON body).
 * - `no_email`: the provider gave no email address.
 */
export type OAuthFailureReason =
  | "denied"
  | "provider_error"
  | "flow_missing"
  | "flow_expired"
  | "state_mismatch"
  | "state_reused"
  | "unreachable"
  | "invalid_response"
  | "no_email";

/**
 * Thrown by {@linkcode OAuthClient} methods. `message` is for logs (never a
 * token or secret); pages word the `reason` themselves.
 *
 * @example
 * ```ts
 * try {
 *   throw new OAuthError("unreachable", "GitHub token endpoint timed out");
 * } catch (err) {
 *   if (err instanceof OAuthError) console.log(err.reason); // "unreachable"
 * }
 * ```
 */
export class OAuthError extends Error {
  constructor(readonly reason: OAuthFailureReason, message: string) {
    super(message);
    this.name = "OAuthError";
  }
}

/** How long a flow may take, start to callback: 10 minutes. */
export const FLOW_MAX_AGE_MS = 10 * 60_000;

/** How long one request to a provider may take before it is `unreachable`. */
export const PROVIDER_TIMEOUT_MS = 10_000;
