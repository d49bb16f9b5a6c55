/**
 * The sign-in providers' settings, read with the rest of the configuration
 * (`lib/config.ts`: every problem reported together, no secret printed).
 * A provider is on when its client id and secret are set; with none set,
 * the sign-in pages show no provider buttons.
 *
 * - GitHub: `GITHUB_CLIENT_ID`, `GITHUB_CLIENT_SECRET`; for GitHub
 *   Enterprise Server `GITHUB_URL` (the web host, default
 *   `https://github.com`) and `GITHUB_API_URL` (default
 *   `https://api.github.com` for github.com, `<GITHUB_URL>/api/v3`
 *   otherwise).
 * - Google: `GOOGLE_CLIENT_ID`, `GOOGLE_CLIENT_SECRET`; `GOOGLE_ISSUER`
 *   (default `https://accounts.google.com`) for a local stand-in.
 * - Any OpenID Connect provider: `OIDC_PROVIDERS` lists slugs
 *   (`acme,corp`); each has `OIDC_<SLUG>_ISSUER`, `OIDC_<SLUG>_CLIENT_ID`,
 *   `OIDC_<SLUG>_CLIENT_SECRET` and `OIDC_<SLUG>_NAME` (the button's name;
 *   default the slug). `<SLUG>` is the slug upper-cased, `-` as `_`.
 *
 * Provider URLs must be https; plain http is accepted for loopback hosts
 * only (a provider on this machine: the tests' stand-ins), since a code,
 * a token or an ID token sent in the clear could be read or changed.
 *
 * @module
 */
import type { Reader } from "../config.ts";

/** A GitHub (or GitHub Enterprise Server) OAuth app. */
export interface GitHubProviderConfig {
  kind: "github";
  id: "github";
  name: "GitHub";
  clientId: string;
  /** A secret: never printed. */
  clientSecret: string;
  /** The web host: `/login/oauth/authorize` and `/login/oauth/access_token` are under it. */
  webUrl: URL;
  /** The REST API root: `/user` and `/user/emails` are under it. */
  apiUrl: URL;
}

/** Google, or any OpenID Connect provider, found by discovery from its issuer. */
export interface OidcProviderConfig {
  kind: "oidc";
  /** `google`, or the slug from `OIDC_PROVIDERS`. */
  id: string;
  name: string;
  /** The `oauth_accounts.provider` its identities get. */
  provider: "google" | "oidc";
  /** The issuer exactly as configured, no trailing slash added or removed. */
  issuer: string;
  clientId: string;
  /** A secret: never printed. */
  clientSecret: string;
}

/** One configured sign-in provider. */
export type OAuthProviderConfig = GitHubProviderConfig | OidcProviderConfig;

const SLUG_RE = /^[a-z][a-z0-9-]{0,30}$/;
const RESERVED = new Set(["github", "google"]);
const LOOPBACK = new Set(["localhost", "127.0.0.1", "[::1]"]);

/**
 * Reads every provider's settings, in the order the sign-in page lists
 * them: GitHub, Google, then `OIDC_PROVIDERS` in its order.
 *
 * @example
 * ```ts
 * import { Reader } from "../config.ts";
 * const r = new Reader({ GITHUB_CLIENT_ID: "Iv1.abc", GITHUB_CLIENT_SECRET: "s3cret" });
 * readOAuthConfig(r).map((p) => p.name); // ["GitHub"]
 * ```
 */
export function readOAuthConfig(r: Reader): OAuthProviderConfig[] {
  const out: OAuthProviderConfig[] = [];
  const github = readGitHub(r);
  if (github) out.push(github);
  const google = readOidc(r, {
    id: "google",
    provider: "google",
    prefix: "GOOGLE_",
    defaultName: "Google",
    defaultIssuer: "https://accounts.google.com",
  });
  if (google) out.push(google);
  const list = r.optional("OIDC_PROVIDERS");
  if (list !== undefined) {
    const slugs = list.split(",").map((s) => s.trim()).filter((s) => s !== "");
    const seen = new Set<string>();
    for (const slug of slugs) {
      if (!SLUG_RE.test(slug) || RESERVED.has(slug)) {
        r.problems.push(
          `OIDC_PROVIDERS must list names of lower-case letters, digits and hyphens, other than github and google (got "${slug}")`,
        );
        continue;
      }
      if (seen.has(slug)) {
        r.problems.push(`OIDC_PROVIDERS lists "${slug}" twice`);
        continue;
      }
      seen.add(slug);
      const prefix = `OIDC_${slug.toUpperCase().replaceAll("-", "_")}_`;
      const provider = readOidc(r, {
        id: slug,
        provider: "oidc",
        prefix,
        defaultName: slug,
        defaultIssuer: undefined,
        required: true,
      });
      if (provider) out.push(provider);
    }
  }
  const issuers = out.filter((p) => p.kind === "oidc").map((p) => p.issuer);
  const twice = issuers.filter((issuer, i) => issuers.indexOf(issuer) !== i);
  for (const issuer of new Set(twice)) {
    r.problems.push(
      `Two OpenID Connect providers have the issuer ${issuer}: one identity source, one provider`,
    );
  }
  return out;
}

/**
 * Whether a provider URL may be used: https, or http on a loopback host.
 *
 * @example
 * ```ts
 * providerUrlAllowed(new URL("https://github.example")); // true
 * providerUrlAllowed(new URL("http://127.0.0.1:9000")); // true
 * providerUrlAllowed(new URL("http://sso.example")); // false
 * ```
 */
export function providerUrlAllowed(url: URL): boolean {
  if (url.username !== "" || url.password !== "") return false;
  if (url.protocol === "https:") return true;
  return url.protocol === "http:" && LOOPBACK.has(url.hostname);
}

function providerUrl(
  r: Reader,
  name: string,
  fallback: string | undefined,
): URL | undefined {
  // Secret: a URL may carry a password, which must not reach the message.
  const url = r.url(name, fallback, { secret: true });
  if (url === undefined) return undefined;
  if (!providerUrlAllowed(url) || url.search !== "" || url.hash !== "") {
    const shown = new URL(url.href);
    shown.username = "";
    shown.password = "";
    const why = url.username !== "" || url.password !== ""
      ? ", without a user name or password"
      : "";
    r.problems.push(
      `${name} must be an https URL without a query${why} (http only for localhost) (got "${shown.origin}${shown.pathname}")`,
    );
    return undefined;
  }
  return url;
}

/** Both or neither of a provider's id and secret; the pair when both. */
function credentials(
  r: Reader,
  prefix: string,
  required: boolean,
): { clientId: string; clientSecret: string } | null {
  const clientId = r.optional(`${prefix}CLIENT_ID`);
  const clientSecret = r.optional(`${prefix}CLIENT_SECRET`);
  if (clientId !== undefined && clientSecret !== undefined) {
    return { clientId, clientSecret };
  }
  if (clientId !== undefined || clientSecret !== undefined || required) {
    const missing = clientId === undefined
      ? `${prefix}CLIENT_ID`
      : `${prefix}CLIENT_SECRET`;
    const other = clientId === undefined
      ? `${prefix}CLIENT_SECRET`
      : `${prefix}CLIENT_ID`;
    r.problems.push(
      required && clientId === undefined && clientSecret === undefined
        ? `${prefix}CLIENT_ID and ${prefix}CLIENT_SECRET are required for a provider listed in OIDC_PROVIDERS`
        : `${missing} is required with ${other}`,
    );
  }
  return null;
}

function readGitHub(r: Reader): GitHubProviderConfig | null {
  const creds = credentials(r, "GITHUB_", false);
  const webUrl = providerUrl(r, "GITHUB_URL", "https://github.com");
  const onDotCom = webUrl?.origin === "https://github.com";
  const apiUrl = providerUrl(
    r,
    "GITHUB_API_URL",
    webUrl === undefined
      ? undefined
      : onDotCom
      ? "https://api.github.com"
      : new URL("api/v3", withSlash(webUrl)).href,
  );
  if (creds === null) {
    for (const name of ["GITHUB_URL", "GITHUB_API_URL"]) {
      if (r.optional(name) !== undefined) {
        r.problems.push(
          `${name} is set without GITHUB_CLIENT_ID and GITHUB_CLIENT_SECRET: set them too, or unset it`,
        );
      }
    }
    return null;
  }
  if (webUrl === undefined || apiUrl === undefined) return null;
  return {
    kind: "github",
    id: "github",
    name: "GitHub",
    ...creds,
    webUrl,
    apiUrl,
  };
}

function readOidc(r: Reader, o: {
  id: string;
  provider: "google" | "oidc";
  prefix: string;
  defaultName: string;
  defaultIssuer: string | undefined;
  required?: boolean;
}): OidcProviderConfig | null {
  const creds = credentials(r, o.prefix, o.required === true);
  const issuerName = `${o.prefix}ISSUER`;
  const nameName = `${o.prefix}NAME`;
  if (creds === null) {
    if (o.required !== true) {
      for (const name of [issuerName, nameName]) {
        if (r.optional(name) !== undefined) {
          r.problems.push(
            `${name} is set without ${o.prefix}CLIENT_ID and ${o.prefix}CLIENT_SECRET: set them too, or unset it`,
          );
        }
      }
    }
    return null;
  }
  if (o.defaultIssuer === undefined && r.optional(issuerName) === undefined) {
    r.problems.push(
      `${issuerName} is required: the provider's issuer URL, e.g. https://sso.example.com`,
    );
    return null;
  }
  const issuerUrl = providerUrl(r, issuerName, o.defaultIssuer);
  if (issuerUrl === undefined) return null;
  // The issuer is compared character for character with the discovery
  // document's and the ID token's `iss`: keep it as written.
  const issuer = r.optional(issuerName) ?? o.defaultIssuer!;
  const name = r.string(nameName, o.defaultName);
  // deno-lint-ignore no-control-regex -- control characters are what it refuses
  if (name.length > 40 || /[\u0000-\u001f<>]/.test(name)) {
    r.problems.push(
      `${nameName} must be a short plain name, at most 40 characters`,
    );
  }
  return {
    kind: "oidc",
    id: o.id,
    name,
    provider: o.provider,
    issuer,
    ...creds,
  };
}

function withSlash(url: URL): URL {
  return url.pathname.endsWith("/") ? url : new URL(url.pathname + "/", url);
}
