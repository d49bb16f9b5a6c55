/**
 * An OpenID Connect issuer's discovery document
 * (`<issuer>/.well-known/openid-configuration`), read and checked: its
 * `issuer` must be the configured one character for character (OpenID
 * Connect Discovery §4.3: otherwise a document could speak for another
 * issuer); every endpoint must be https (http only on loopback), as
 * configured URLs; the ID token algorithms are the listed ones without
 * `none` and HMAC (HS*: keyed with our client secret, which the provider
 * is not the only holder of). Caching is the client's (`oidc.ts`).
 *
 * @module
 */
import { createRemoteJWKSet, customFetch } from "jose";
import { type OidcProviderConfig, providerUrlAllowed } from "./config.ts";
import { getJson } from "./http.ts";
import { OAuthError } from "./provider.ts";

/** What Islet uses of a discovery document, checked. */
export interface Discovery {
  authorizationEndpoint: string;
  tokenEndpoint: string;
  userinfoEndpoint: URL | null;
  algorithms: string[];
  jwks: ReturnType<typeof createRemoteJWKSet>;
}

/**
 * Reads and checks the issuer's discovery document (its key set is read
 * later, when a token is verified). Throws {@linkcode OAuthError}.
 *
 * @example
 * ```ts
 * const doc = await discover({
 *   kind: "oidc", id: "acme", name: "Acme", provider: "oidc",
 *   issuer: "https://sso.acme.example", clientId: "islet", clientSecret: "s",
 * }, 10_000, "Acme");
 * doc.tokenEndpoint; // "https://sso.acme.example/token"
 * ```
 */
export async function discover(
  config: OidcProviderConfig,
  timeoutMs: number,
  where: string,
): Promise<Discovery> {
  const url = new URL(
    config.issuer.replace(/\/+$/, "") + "/.well-known/openid-configuration",
  );
  const what = `${where} discovery`;
  const doc = await getJson(
    url,
    { accept: "application/json" },
    what,
    timeoutMs,
  );
  const bad = (why: string) =>
    new OAuthError("invalid_response", `${what}: ${why}`);
  if (typeof doc !== "object" || doc === null || Array.isArray(doc)) {
    throw bad("not an object");
  }
  const d = doc as Record<string, unknown>;
  if (d.issuer !== config.issuer) throw bad("issuer is not the configured one");
  const endpoint = (name: string): URL => {
    const v = d[name];
    let url: URL | null = null;
    try {
      if (typeof v === "string") url = new URL(v);
    } catch {
      // refused below
    }
    if (url === null || !providerUrlAllowed(url) || url.hash !== "") {
      throw bad(`${name} is not an https URL`);
    }
    return url;
  };
  const algs = d.id_token_signing_alg_values_supported;
  const algorithms = Array.isArray(algs)
    ? algs.filter((a): a is string =>
      typeof a === "string" && a !== "none" && !a.startsWith("HS")
    )
    : [];
  if (algorithms.length === 0) throw bad("no usable ID token algorithm");
  return {
    authorizationEndpoint: endpoint("authorization_endpoint").href,
    tokenEndpoint: endpoint("token_endpoint").href,
    userinfoEndpoint: d.userinfo_endpoint === undefined
      ? null
      : endpoint("userinfo_endpoint"),
    algorithms,
    jwks: createRemoteJWKSet(endpoint("jwks_uri"), {
      timeoutDuration: timeoutMs,
      // A key set that answers 5xx is a provider that is down, as for
      // every other request (jose would call it a malformed answer).
      [customFetch]: async (url, init) => {
        const res = await fetch(url, init);
        if (res.status >= 500) {
          await res.body?.cancel();
          throw new OAuthError(
            "unreachable",
            `${where} key set: HTTP ${res.status}`,
          );
        }
        return res;
      },
    }),
  };
}
