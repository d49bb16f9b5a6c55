/**
 * The configured sign-in providers as clients, built once at start-up
 * (`services.oauth`): the sign-in pages list them, the routes find one by
 * the id in the URL, and settings name the provider of a stored link.
 *
 * Each client's redirect URI, the one to register with the provider, is
 * `<APP_URL origin>/oauth/<id>/callback`.
 *
 * @module
 */
import type { Config } from "../config.ts";
import type { OAuthProviderConfig } from "./config.ts";
import { githubClient } from "./github.ts";
import { oidcClient, type OidcClientOptions } from "./oidc.ts";
import type { OAuthClient, OAuthProvider } from "./provider.ts";

/** The configured providers. */
export interface OAuthClients {
  /** In config order (GitHub, Google, then `OIDC_PROVIDERS`); empty when none. */
  list: OAuthClient[];
  /** The client with this URL id, or null. */
  get(id: string): OAuthClient | null;
  /**
   * The client a stored link came from (the one of its provider that
   * `owns` its provider user id), null when no longer configured.
   */
  forLink(provider: OAuthProvider, providerUserId: string): OAuthClient | null;
}

/**
 * The callback URL of provider `id`: what to register with the provider.
 *
 * @example
 * ```ts
 * callbackUrl(new URL("https://islet.example"), "github"); // "https://islet.example/oauth/github/callback"
 * ```
 */
export function callbackUrl(appUrl: URL, id: string): string {
  return `${appUrl.origin}/oauth/${id}/callback`;
}

/**
 * Builds a client per configured provider. No request is made here: an
 * OpenID Connect issuer is read on its first sign-in.
 *
 * @example
 * ```ts
 * import { loadConfig } from "../config.ts";
 * const oauth = oauthClients(loadConfig({ GITHUB_CLIENT_ID: "Iv1.abc", GITHUB_CLIENT_SECRET: "s3cret" }));
 * oauth.list.map((c) => c.name); // ["GitHub"]
 * oauth.get("github")?.provider; // "github"
 * oauth.get("google"); // null: not configured
 * ```
 */
export function oauthClients(
  config: Config,
  options: OidcClientOptions = {},
): OAuthClients {
  const list = config.oauth.map((p: OAuthProviderConfig) => {
    const redirectUri = callbackUrl(config.appUrl, p.id);
    return p.kind === "github"
      ? githubClient(p, redirectUri, options)
      : oidcClient(p, redirectUri, options);
  });
  const byId = new Map(list.map((c) => [c.id, c]));
  return {
    list,
    get: (id) => byId.get(id) ?? null,
    forLink: (provider, providerUserId) =>
      list.find((c) => c.provider === provider && c.owns(providerUserId)) ??
        null,
  };
}
