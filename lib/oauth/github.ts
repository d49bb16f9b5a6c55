/**
 * Sign-in with GitHub (github.com or a GitHub Enterprise Server host): the
 * web application flow, with PKCE, over arctic's `OAuth2Client`, then
 * `GET /user` and `GET /user/emails` with the access token.
 *
 * Decisions:
 * - The address is the primary one of `/user/emails` (the profile's public
 *   `email` is whatever the person chose to show, and carries no verified
 *   flag); `emailVerified` is that entry's `verified`. No primary entry →
 *   no address: the account rules then refuse to guess.
 * - `providerUserId` is GitHub's numeric id, prefixed on Enterprise hosts
 *   by the host's origin (`"https://ghe.example 42"`): user 42 of one host
 *   is not user 42 of another, and logins can be renamed, ids cannot.
 * - GitHub answers a refused code with HTTP 200 and `{ "error": … }`;
 *   arctic reads that as tokens, so the body is checked for `error` here.
 *
 * @module
 */
import { CodeChallengeMethod, OAuth2Client } from "arctic";
import type { GitHubProviderConfig } from "./config.ts";
import {
  getJson,
  type ProviderHttpOptions,
  safeCode,
  timeoutOf,
  tokenError,
  withDeadline,
} from "./http.ts";
import {
  type FlowSecrets,
  type OAuthClient,
  OAuthError,
  type ProviderIdentity,
} from "./provider.ts";

const SCOPES = ["read:user", "user:email"];
const DOT_COM = "https://github.com";
// GitHub logins: letters, digits, single hyphens; Enterprise hosts also
// allow `_` in logins made from their identity provider.
const LOGIN_RE = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,99}$/;
const MAX_EMAIL = 320;

/**
 * `base` (a web or API root, with or without a path) joined with `path`.
 *
 * @example
 * ```ts
 * under(new URL("https://ghe.example/api/v3"), "/user").href; // "https://ghe.example/api/v3/user"
 * ```
 */
export function under(base: URL, path: string): URL {
  return new URL(base.href.replace(/\/+$/, "") + path);
}

/**
 * The client for the configured GitHub (or GitHub Enterprise) OAuth app.
 * `redirectUri` is the callback registered with the app.
 *
 * @example
 * ```ts
 * import { newFlow } from "./flow.ts";
 * const github = githubClient({
 *   kind: "github", id: "github", name: "GitHub",
 *   clientId: "Iv1.abc", clientSecret: "s3cret",
 *   webUrl: new URL("https://github.com"), apiUrl: new URL("https://api.github.com"),
 * }, "https://islet.example/oauth/github/callback");
 * const flow = newFlow({ providerId: "github", next: "/", intent: "sign_in", userId: null, oidc: false });
 * const url = await github.authorizationUrl(flow); // https://github.com/login/oauth/authorize?…
 * ```
 */
export function githubClient(
  config: GitHubProviderConfig,
  redirectUri: string,
  options: ProviderHttpOptions = {},
): OAuthClient {
  const timeoutMs = timeoutOf(options);
  const arctic = new OAuth2Client(
    config.clientId,
    config.clientSecret,
    redirectUri,
  );
  const origin = config.webUrl.origin;
  const onDotCom = origin === DOT_COM;
  const authorizeUrl = under(config.webUrl, "/login/oauth/authorize").href;
  const tokenUrl = under(config.webUrl, "/login/oauth/access_token").href;
  const userUrl = under(config.apiUrl, "/user");
  const emailsUrl = under(config.apiUrl, "/user/emails");
  const where = onDotCom ? "GitHub" : `GitHub at ${origin}`;

  return {
    id: config.id,
    name: config.name,
    provider: "github",

    owns(providerUserId) {
      return onDotCom
        ? /^[1-9][0-9]*$/.test(providerUserId)
        : providerUserId.startsWith(`${origin} `);
    },

    authorizationUrl(flow: FlowSecrets) {
      return Promise.resolve(arctic.createAuthorizationURLWithPKCE(
        authorizeUrl,
        flow.state,
        CodeChallengeMethod.S256,
        flow.codeVerifier,
        SCOPES,
      ));
    },

    async identify(code: string, flow: FlowSecrets) {
      const what = `${where} token endpoint`;
      let data: object;
      try {
        const tokens = await withDeadline(
          arctic.validateAuthorizationCode(tokenUrl, code, flow.codeVerifier),
          timeoutMs,
          what,
        );
        data = tokens.data;
      } catch (err) {
        throw tokenError(err, what);
      }
      const body = data as Record<string, unknown>;
      if ("error" in body) {
        throw new OAuthError(
          "provider_error",
          `${what}: ${safeCode(body.error)}`,
        );
      }
      const token = body.access_token;
      const type = body.token_type;
      if (
        typeof token !== "string" || token === "" || token.length > 4096 ||
        (type !== undefined && String(type).toLowerCase() !== "bearer")
      ) {
        throw new OAuthError("invalid_response", `${what}: no bearer token`);
      }
      const headers = {
        authorization: `Bearer ${token}`,
        accept: "application/vnd.github+json",
        "user-agent": "Islet",
      };
      const [user, emails] = await Promise.all([
        getJson(userUrl, headers, `${where} /user`, timeoutMs),
        getJson(emailsUrl, headers, `${where} /user/emails`, timeoutMs),
      ]);
      return githubIdentity(config, user, emails);
    },
  };
}

/**
 * Who GitHub says signed in, from the JSON of `/user` and `/user/emails`
 * (checked: anything else is {@linkcode OAuthError} `invalid_response`).
 *
 * @example
 * ```ts
 * const config = {
 *   kind: "github", id: "github", name: "GitHub", clientId: "i", clientSecret: "s",
 *   webUrl: new URL("https://github.com"), apiUrl: new URL("https://api.github.com"),
 * } as const;
 * githubIdentity(config, { id: 1, login: "octocat" }, [
 *   { email: "octocat@example.com", primary: true, verified: true },
 * ]).providerUserId; // "1"
 * ```
 */
export function githubIdentity(
  config: GitHubProviderConfig,
  user: unknown,
  emails: unknown,
): ProviderIdentity {
  const onDotCom = config.webUrl.origin === DOT_COM;
  if (typeof user !== "object" || user === null) {
    throw new OAuthError("invalid_response", "GitHub /user: not an object");
  }
  const u = user as Record<string, unknown>;
  if (
    typeof u.id !== "number" || !Number.isSafeInteger(u.id) || u.id < 1 ||
    typeof u.login !== "string" || !LOGIN_RE.test(u.login) ||
    (u.name !== undefined && u.name !== null && typeof u.name !== "string")
  ) {
    throw new OAuthError("invalid_response", "GitHub /user: no id or login");
  }
  if (!Array.isArray(emails) || !emails.every(isEmailEntry)) {
    throw new OAuthError(
      "invalid_response",
      "GitHub /user/emails: not a list of addresses",
    );
  }
  const primary = emails.find((e) => e.primary === true);
  const providerUserId = onDotCom
    ? String(u.id)
    : `${config.webUrl.origin} ${u.id}`;
  const name = typeof u.name === "string" && u.name.trim() !== ""
    ? u.name.trim()
    : null;
  return {
    provider: "github",
    providerId: config.id,
    providerName: config.name,
    providerUserId,
    email: primary?.email ?? null,
    emailVerified: primary?.verified === true,
    login: u.login,
    name,
    label: u.login,
  };
}

interface EmailEntry {
  email: string;
  primary: boolean;
  verified: boolean;
}

function isEmailEntry(e: unknown): e is EmailEntry {
  if (typeof e !== "object" || e === null) return false;
  const x = e as Record<string, unknown>;
  return typeof x.email === "string" && x.email.length <= MAX_EMAIL &&
    x.email.includes("@") && typeof x.primary === "boolean" &&
    typeof x.verified === "boolean";
}
