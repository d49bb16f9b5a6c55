/**
 * Sign-in with Google or any OpenID Connect provider, found by discovery
 * from its issuer: the authorization code flow with PKCE and a nonce over
 * arctic's `OAuth2Client`, the ID token verified with jose.
 *
 * Decisions:
 * - Discovery (`<issuer>/.well-known/openid-configuration`) is kept for an
 *   hour per client (one per process); a failed read is not kept, and
 *   concurrent reads share one request. The document's `issuer` must be
 *   the configured one character for character (OpenID Connect Discovery
 *   §4.3: otherwise a document could speak for another issuer), and every
 *   endpoint must be https (http only on loopback), as configured URLs.
 * - The ID token: signature by a key of the document's `jwks_uri`, with an
 *   algorithm the document lists, never `none` or an HMAC (HS*: keyed with
 *   our client secret, which the provider is not the only holder of);
 *   `iss` the issuer, `aud` our client id (and `azp` ours when present or
 *   when `aud` names several), `exp` and `iat` present and current (60 s of
 *   clock skew), `nonce` the flow's (compared in constant time).
 * - Claims come from the ID token; a provider that puts no `email` in it
 *   (claims only at userinfo) is asked at its `userinfo_endpoint`, whose
 *   `sub` must be the token's. `email_verified` counts only when it is
 *   `true` or `"true"` (some providers send strings).
 * - Google's ID tokens may carry `iss` "accounts.google.com" without the
 *   scheme (Google documents both); that one alias is accepted for Google.
 *
 * @module
 */
import { CodeChallengeMethod, OAuth2Client } from "arctic";
import { errors, type JWTPayload, jwtVerify } from "jose";
import { hash } from "node:crypto";
import { constantTimeEqualHex } from "../auth/session_token.ts";
import type { OidcProviderConfig } from "./config.ts";
import {
  getJson,
  type ProviderHttpOptions,
  timeoutOf,
  tokenError,
  withDeadline,
} from "./http.ts";
import { discover, type Discovery } from "./oidc_discovery.ts";
import {
  type FlowSecrets,
  type OAuthClient,
  OAuthError,
  type ProviderIdentity,
} from "./provider.ts";

/** Options of {@linkcode oidcClient}: the request deadline, and a clock for tests. */
export interface OidcClientOptions extends ProviderHttpOptions {
  /** Now, in ms (discovery's cache age and the ID token's times). Default `Date.now`. */
  now?: () => number;
}

const SCOPES = ["openid", "email", "profile"];
const DISCOVERY_TTL_MS = 60 * 60_000;
const CLOCK_TOLERANCE_S = 60;
const SUB_RE = /^[\x20-\x7e]{1,255}$/;
const MAX_EMAIL = 320;
const GOOGLE = "https://accounts.google.com";

/**
 * The client for Google or a configured OpenID Connect provider.
 * `redirectUri` is the callback registered with the provider.
 *
 * @example
 * ```ts
 * import { newFlow } from "./flow.ts";
 * const acme = oidcClient({
 *   kind: "oidc", id: "acme", name: "Acme SSO", provider: "oidc",
 *   issuer: "https://sso.acme.example", clientId: "islet", clientSecret: "s3cret",
 * }, "https://islet.example/oauth/acme/callback");
 * const flow = newFlow({ providerId: "acme", next: "/", intent: "sign_in", userId: null, oidc: true });
 * const url = await acme.authorizationUrl(flow); // reads the discovery document first
 * ```
 */
export function oidcClient(
  config: OidcProviderConfig,
  redirectUri: string,
  options: OidcClientOptions = {},
): OAuthClient {
  const timeoutMs = timeoutOf(options);
  const now = options.now ?? Date.now;
  const arctic = new OAuth2Client(
    config.clientId,
    config.clientSecret,
    redirectUri,
  );
  const issuers = config.provider === "google" && config.issuer === GOOGLE
    ? [GOOGLE, "accounts.google.com"]
    : [config.issuer];
  const where = `${config.name} (${config.issuer})`;
  let cached: { doc: Discovery; at: number } | null = null;
  let pending: Promise<Discovery> | null = null;

  function discovery(): Promise<Discovery> {
    if (cached !== null && now() - cached.at < DISCOVERY_TTL_MS) {
      return Promise.resolve(cached.doc);
    }
    pending ??= discover(config, timeoutMs, where).then((doc) => {
      cached = { doc, at: now() };
      return doc;
    }).finally(() => {
      pending = null;
    });
    return pending;
  }

  return {
    id: config.id,
    name: config.name,
    provider: config.provider,

    owns(providerUserId) {
      return config.provider === "google"
        ? !providerUserId.includes(" ")
        : providerUserId.startsWith(`${config.issuer} `);
    },

    async authorizationUrl(flow: FlowSecrets) {
      if (flow.nonce === null) {
        throw new TypeError("an OpenID Connect flow needs a nonce");
      }
      const doc = await discovery();
      const url = arctic.createAuthorizationURLWithPKCE(
        doc.authorizationEndpoint,
        flow.state,
        CodeChallengeMethod.S256,
        flow.codeVerifier,
        SCOPES,
      );
      url.searchParams.set("nonce", flow.nonce);
      return url;
    },

    async identify(code: string, flow: FlowSecrets) {
      if (flow.nonce === null) {
        throw new OAuthError("invalid_response", "the flow has no nonce");
      }
      const doc = await discovery();
      const what = `${where} token endpoint`;
      let data: Record<string, unknown>;
      try {
        const tokens = await withDeadline(
          arctic.validateAuthorizationCode(
            doc.tokenEndpoint,
            code,
            flow.codeVerifier,
          ),
          timeoutMs,
          what,
        );
        data = tokens.data as Record<string, unknown>;
      } catch (err) {
        throw tokenError(err, what);
      }
      if (typeof data.id_token !== "string") {
        throw new OAuthError("invalid_response", `${what}: no ID token`);
      }
      const claims = await verifyIdToken(data.id_token, flow.nonce);
      if (claims.email !== undefined || doc.userinfoEndpoint === null) {
        return identity(config, claims);
      }
      const token = data.access_token;
      if (typeof token !== "string" || token === "") {
        throw new OAuthError("invalid_response", `${what}: no access token`);
      }
      const info = await getJson(
        doc.userinfoEndpoint,
        {
          authorization: `Bearer ${token}`,
          accept: "application/json",
        },
        `${where} userinfo`,
        timeoutMs,
      );
      if (
        typeof info !== "object" || info === null ||
        (info as Record<string, unknown>).sub !== claims.sub
      ) {
        throw new OAuthError(
          "invalid_response",
          `${where} userinfo: not the ID token's subject`,
        );
      }
      // The ID token's claims win where both have one. (Spread, not
      // Object.assign: a "__proto__" key in the JSON stays a plain key.)
      return identity(config, { ...info, ...definedOnly(claims) });
    },
  };

  async function verifyIdToken(
    idToken: string,
    nonce: string,
  ): Promise<JWTPayload> {
    const doc = await discovery();
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(idToken, doc.jwks, {
        issuer: issuers,
        audience: config.clientId,
        algorithms: doc.algorithms,
        clockTolerance: CLOCK_TOLERANCE_S,
        requiredClaims: ["sub", "exp", "iat"],
        currentDate: new Date(now()),
      }));
    } catch (err) {
      throw joseError(err, where);
    }
    // jose checks `exp` and `nbf`; a token issued in the future was not
    // made by a sane clock (OpenID Connect Core §3.1.3.7, item 10).
    if ((payload.iat ?? 0) > now() / 1000 + CLOCK_TOLERANCE_S) {
      throw new OAuthError(
        "invalid_response",
        `${where}: ID token issued in the future`,
      );
    }
    const multiple = Array.isArray(payload.aud) && payload.aud.length > 1;
    if (
      (multiple || payload.azp !== undefined) &&
      payload.azp !== config.clientId
    ) {
      throw new OAuthError(
        "invalid_response",
        `${where}: ID token for another party (azp)`,
      );
    }
    if (
      typeof payload.nonce !== "string" ||
      !constantTimeEqualHex(digest(payload.nonce), digest(nonce))
    ) {
      throw new OAuthError(
        "invalid_response",
        `${where}: ID token nonce is not this flow's`,
      );
    }
    // OpenID Connect Core §2: at most 255 ASCII characters. Printable
    // only: a NUL or a line break would reach the database (PostgreSQL
    // refuses a NUL: a 500) and the audit log.
    if (typeof payload.sub !== "string" || !SUB_RE.test(payload.sub)) {
      throw new OAuthError("invalid_response", `${where}: no usable sub`);
    }
    return payload;
  }
}

function definedOnly(o: object): object {
  return Object.fromEntries(
    Object.entries(o).filter(([, v]) => v !== undefined),
  );
}

function digest(text: string): string {
  return hash("sha256", text, "hex");
}

/** jose's failures: a key set that cannot be fetched is `unreachable`, the rest `invalid_response`. */
function joseError(err: unknown, where: string): OAuthError {
  if (err instanceof OAuthError) return err;
  if (err instanceof errors.JWKSTimeout) {
    return new OAuthError("unreachable", `${where}: key set timed out`);
  }
  if (err instanceof errors.JOSEError) {
    return new OAuthError(
      "invalid_response",
      `${where}: ID token refused (${err.code})`,
    );
  }
  // The key set's fetch failing (connection refused, reset): a TypeError.
  return new OAuthError(
    "unreachable",
    `${where}: key set: ${err instanceof Error ? err.name : "network error"}`,
  );
}

function identity(
  config: OidcProviderConfig,
  claims: JWTPayload,
): ProviderIdentity {
  const sub = claims.sub!;
  const email = claims.email;
  if (
    email !== undefined && email !== null &&
    (typeof email !== "string" || email.length > MAX_EMAIL)
  ) {
    throw new OAuthError(
      "invalid_response",
      `${config.name}: the email claim is not an address`,
    );
  }
  const address = typeof email === "string" && email.includes("@")
    ? email
    : null;
  const text = (v: unknown) =>
    typeof v === "string" && v.trim() !== "" && v.length <= 200
      ? v.trim()
      : null;
  const login = text(claims.preferred_username) ?? text(claims.nickname);
  return {
    provider: config.provider,
    providerId: config.id,
    providerName: config.name,
    providerUserId: config.provider === "google"
      ? sub
      : `${config.issuer} ${sub}`,
    email: address,
    emailVerified: address !== null &&
      (claims.email_verified === true || claims.email_verified === "true"),
    login,
    name: text(claims.name),
    label: address ?? login ?? sub,
  };
}
