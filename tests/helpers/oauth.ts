/**
 * Every sign-in provider at once, for the app's OAuth tests: the GitHub
 * stand-in (as a GitHub Enterprise host), one OpenID Connect stand-in
 * playing Google, another playing a company's own provider ("Acme SSO",
 * slug `acme`), the same people at each, and the app settings that point
 * an app at them ({@linkcode oauthEnv}).
 *
 * Google and Acme are two provider instances, not two clients of one: the
 * app refuses two providers with one issuer (one identity source, one
 * provider).
 *
 * Redirect URIs: the in-process app's callbacks
 * (`http://localhost:8000/oauth/<id>/callback`, its APP_URL) are
 * registered from the start; a served app's are known once it runs:
 * `standins.registerApp(app.origin)`.
 *
 * @example
 * ```ts
 * import { startApp } from "./auth.ts";
 * const standins = await startOAuthStandins();
 * const app = await startApp({ env: standins.env() });
 * try {
 *   const res = await app.fetch("/oauth/google", { redirect: "manual" });
 *   await res.body?.cancel();
 * } finally {
 *   await app.stop();
 *   await standins.stop();
 * }
 * ```
 *
 * @module
 */
import {
  type GitHubStandin,
  type GitHubUser,
  startGitHubStandin,
} from "./github_standin.ts";
import {
  type OidcStandin,
  type OidcUserClaims,
  startOidcProvider,
} from "./oidc_provider.ts";

export { driveGitHub, githubLoginInPage } from "./github_standin.ts";
export { driveOidc, oidcLoginInPage } from "./oidc_provider.ts";
export type { GitHubStandin, OidcStandin };

/** The Acme provider's slug and button name. */
export const ACME = { id: "acme", name: "Acme SSO" } as const;

/** Where an in-process app (tests/helpers/app.ts) is: its APP_URL. */
export const IN_PROCESS_ORIGIN = "http://localhost:8000";

/** One person, with the same account at every provider. */
export interface Person {
  /** GitHub login and OIDC `sub`/login. */
  login: string;
  /** Null: no address at all (GitHub: no emails; OIDC: no `email` claim). */
  email: string | null;
  /** Whether the providers vouch for the address. */
  emailVerified: boolean;
  name?: string;
  /** GitHub's numeric id; default a stable one from the order. */
  githubId?: number;
}

/** The people the stand-ins know unless told otherwise. */
export const PEOPLE: readonly Person[] = [
  {
    login: "alice",
    email: "alice@example.com",
    emailVerified: true,
    name: "Alice Example",
  },
  { login: "bob", email: "bob@example.com", emailVerified: false },
  { login: "nomail", email: null, emailVerified: false, name: "No Mail" },
];

/** The three providers, running. */
export interface OAuthStandins {
  github: GitHubStandin;
  google: OidcStandin;
  acme: OidcStandin;
  /** The app settings for all three, with `extra` over them. */
  env(extra?: Record<string, string>): Record<string, string>;
  /** Registers `<origin>/oauth/<id>/callback` at each provider. */
  registerApp(origin: string): void;
  /** Adds or replaces a person at every provider. */
  setPerson(person: Person): void;
  stop(): Promise<void>;
}

/**
 * A person as a GitHub user: the address, when there is one, is the
 * primary, with its verified flag.
 *
 * @example
 * ```ts
 * githubUser({ login: "al", email: "al@example.com", emailVerified: true }, 7).emails[0].primary; // true
 * ```
 */
export function githubUser(person: Person, fallbackId: number): GitHubUser {
  return {
    id: person.githubId ?? fallbackId,
    login: person.login,
    name: person.name ?? null,
    emails: person.email === null ? [] : [{
      email: person.email,
      primary: true,
      verified: person.emailVerified,
    }],
  };
}

/**
 * A person as OpenID Connect claims.
 *
 * @example
 * ```ts
 * oidcClaims({ login: "al", email: null, emailVerified: false }); // { preferred_username: "al" }
 * ```
 */
export function oidcClaims(person: Person): OidcUserClaims {
  const claims: OidcUserClaims = { preferred_username: person.login };
  if (person.email !== null) {
    claims.email = person.email;
    claims.email_verified = person.emailVerified;
  }
  if (person.name !== undefined) claims.name = person.name;
  return claims;
}

/**
 * Starts the three providers with `people` (default {@linkcode PEOPLE}),
 * the in-process app's callbacks registered. `idTokenClaims: false`
 * makes Acme (not Google) keep claims to its userinfo endpoint.
 * Stop them in a `finally`.
 *
 * @example
 * ```ts
 * const standins = await startOAuthStandins({ idTokenClaims: false });
 * try {
 *   console.log(standins.env().OIDC_ACME_ISSUER);
 * } finally {
 *   await standins.stop();
 * }
 * ```
 */
export async function startOAuthStandins(
  opts: { people?: readonly Person[]; idTokenClaims?: boolean } = {},
): Promise<OAuthStandins> {
  const people = opts.people ?? PEOPLE;
  const redirectUris = (id: string) => [
    `${IN_PROCESS_ORIGIN}/oauth/${id}/callback`,
  ];
  const claims = Object.fromEntries(
    people.map((p) => [p.login, oidcClaims(p)]),
  );
  const started: { stop(): Promise<void> }[] = [];
  try {
    const github = await startGitHubStandin({
      users: people.map((p, i) => githubUser(p, 1000 + i)),
      redirectUris: redirectUris("github"),
    });
    started.push(github);
    const google = await startOidcProvider({
      users: claims,
      clientId: "islet-google.apps.example",
      redirectUris: redirectUris("google"),
    });
    started.push(google);
    const acme = await startOidcProvider({
      users: claims,
      clientId: "islet-acme",
      redirectUris: redirectUris(ACME.id),
      idTokenClaims: opts.idTokenClaims,
    });
    started.push(acme);
    let nextId = 1000 + people.length;
    return {
      github,
      google,
      acme,
      env: (extra = {}) => ({
        ...oauthEnv({ github, google, acme }),
        ...extra,
      }),
      registerApp(origin) {
        github.addRedirectUri(`${origin}/oauth/github/callback`);
        google.addRedirectUri(`${origin}/oauth/google/callback`);
        acme.addRedirectUri(`${origin}/oauth/${ACME.id}/callback`);
      },
      setPerson(person) {
        github.setUser(githubUser(person, nextId++));
        google.setUser(person.login, oidcClaims(person));
        acme.setUser(person.login, oidcClaims(person));
      },
      stop: async () => {
        await Promise.all(started.map((s) => s.stop()));
      },
    };
  } catch (err) {
    await Promise.all(started.map((s) => s.stop()));
    throw err;
  }
}

/**
 * The app settings (environment) for the providers given: GitHub as a
 * GitHub Enterprise host (`GITHUB_URL`, `GITHUB_API_URL`), Google at its
 * stand-in's issuer (`GOOGLE_ISSUER`), Acme as the generic OpenID Connect
 * provider (`OIDC_PROVIDERS=acme`, named "Acme SSO"); `extra` over them.
 * Pass it as `env` to `startApp`, `startServedApp` or `buildApp`.
 *
 * @example
 * ```ts
 * import { startApp } from "./auth.ts";
 * declare const github: GitHubStandin;
 * const app = await startApp({ env: oauthEnv({ github }) }); // GitHub only
 * await app.stop();
 * ```
 */
export function oauthEnv(
  providers: {
    github?: GitHubStandin;
    google?: OidcStandin;
    acme?: OidcStandin;
  },
  extra: Record<string, string> = {},
): Record<string, string> {
  const env: Record<string, string> = {};
  const { github, google, acme } = providers;
  if (github) {
    env.GITHUB_CLIENT_ID = github.clientId;
    env.GITHUB_CLIENT_SECRET = github.clientSecret;
    env.GITHUB_URL = github.webUrl;
    env.GITHUB_API_URL = github.apiUrl;
  }
  if (google) {
    env.GOOGLE_CLIENT_ID = google.clientId;
    env.GOOGLE_CLIENT_SECRET = google.clientSecret;
    env.GOOGLE_ISSUER = google.issuer;
  }
  if (acme) {
    env.OIDC_PROVIDERS = ACME.id;
    env.OIDC_ACME_ISSUER = acme.issuer;
    env.OIDC_ACME_CLIENT_ID = acme.clientId;
    env.OIDC_ACME_CLIENT_SECRET = acme.clientSecret;
    env.OIDC_ACME_NAME = ACME.name;
  }
  return { ...env, ...extra };
}
