/**
 * The GitHub client against the GitHub stand-in over HTTP
 * (`tests/helpers/github_standin.ts`, configured as a GitHub Enterprise
 * host), and its reading of `/user` and `/user/emails`.
 */
import {
  deepStrictEqual,
  equal,
  ok,
  strictEqual,
  throws,
} from "node:assert/strict";
import {
  driveGitHub,
  type GitHubStandin,
  type GitHubUser,
  startGitHubStandin,
} from "../../tests/helpers/github_standin.ts";
import type { GitHubProviderConfig } from "./config.ts";
import { newFlow } from "./flow.ts";
import { githubClient, githubIdentity } from "./github.ts";
import type { ProviderHttpOptions } from "./http.ts";
import { type OAuthClient, OAuthError } from "./provider.ts";

const REDIRECT = "http://127.0.0.1:8000/oauth/github/callback";

const USERS: GitHubUser[] = [
  {
    id: 583231,
    login: "octocat",
    name: "The Octocat",
    emails: [
      { email: "old@example.com", primary: false, verified: true },
      { email: "octocat@example.com", primary: true, verified: true },
    ],
  },
  {
    id: 7,
    login: "unverified",
    name: null,
    emails: [{ email: "unv@example.com", primary: true, verified: false }],
  },
  {
    id: 8,
    login: "noprimary",
    emails: [{ email: "side@example.com", primary: false, verified: true }],
  },
];

function configFor(gh: GitHubStandin): GitHubProviderConfig {
  return {
    kind: "github",
    id: "github",
    name: "GitHub",
    clientId: gh.clientId,
    clientSecret: gh.clientSecret,
    webUrl: new URL(gh.webUrl),
    apiUrl: new URL(gh.apiUrl),
  };
}

async function withGitHub(
  fn: (gh: GitHubStandin, client: OAuthClient) => Promise<void>,
  options: ProviderHttpOptions = {},
) {
  const gh = await startGitHubStandin({
    users: USERS,
    redirectUris: [REDIRECT],
  });
  try {
    await fn(gh, githubClient(configFor(gh), REDIRECT, options));
  } finally {
    await gh.stop();
  }
}

function flow() {
  return newFlow({
    providerId: "github",
    next: "/",
    intent: "sign_in",
    userId: null,
    oidc: false,
  });
}

/** Starts a flow, lets `login` authorize it at the stand-in: the code. */
async function authorize(client: OAuthClient, login: string) {
  const f = flow();
  const url = await client.authorizationUrl(f);
  const back = await driveGitHub(url, login);
  equal(back.searchParams.get("state"), f.state);
  return { flow: f, code: back.searchParams.get("code")! };
}

async function reason(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    if (err instanceof OAuthError) return err.reason;
    throw err;
  }
  return "no error";
}

Deno.test("github: the authorization URL asks for the code with PKCE S256 and the two scopes", async () => {
  await withGitHub(async (gh, client) => {
    const f = flow();
    const url = await client.authorizationUrl(f);
    equal(url.origin + url.pathname, `${gh.webUrl}/login/oauth/authorize`);
    const p = Object.fromEntries(url.searchParams);
    deepStrictEqual(
      { ...p, code_challenge: p.code_challenge.length },
      {
        response_type: "code",
        client_id: gh.clientId,
        redirect_uri: REDIRECT,
        state: f.state,
        code_challenge_method: "S256",
        code_challenge: 43,
        scope: "read:user user:email",
      },
    );
    equal(url.searchParams.has("nonce"), false);
  });
});

Deno.test("github: sign-in through the stand-in gives the primary verified address and the Enterprise id", async () => {
  await withGitHub(async (gh, client) => {
    const { flow: f, code } = await authorize(client, "octocat");
    const who = await client.identify(code, f);
    const origin = new URL(gh.webUrl).origin;
    deepStrictEqual(who, {
      provider: "github",
      providerId: "github",
      providerName: "GitHub",
      providerUserId: `${origin} 583231`,
      email: "octocat@example.com",
      emailVerified: true,
      login: "octocat",
      name: "The Octocat",
      label: "octocat",
    });
    ok(client.owns(`${origin} 583231`));
    equal(client.owns("583231"), false);
    equal(client.owns("https://ghe.other.example 583231"), false);
    // The token went in a header, never in a URL.
    ok(gh.requests().every((r) => !r.includes("token=")), gh.requests().join());
  });
});

Deno.test("github: an unverified primary address is given but not vouched for; no primary, no address", async () => {
  await withGitHub(async (_gh, client) => {
    const unv = await authorize(client, "unverified");
    const a = await client.identify(unv.code, unv.flow);
    equal(a.email, "unv@example.com");
    equal(a.emailVerified, false);
    equal(a.name, null);
    const none = await authorize(client, "noprimary");
    const b = await client.identify(none.code, none.flow);
    equal(b.email, null);
    equal(b.emailVerified, false);
    equal(b.label, "noprimary");
  });
});

Deno.test("github: a used code, a wrong verifier and a refused code are provider errors", async () => {
  await withGitHub(async (gh, client) => {
    const once = await authorize(client, "octocat");
    await client.identify(once.code, once.flow);
    equal(
      await reason(client.identify(once.code, once.flow)),
      "provider_error",
    );
    const other = await authorize(client, "octocat");
    equal(
      await reason(
        client.identify(other.code, {
          ...other.flow,
          codeVerifier: flow().codeVerifier,
        }),
      ),
      "provider_error",
    );
    const refused = await authorize(client, "octocat");
    gh.failNext("token_error");
    equal(
      await reason(client.identify(refused.code, refused.flow)),
      "provider_error",
    );
  });
});

Deno.test("github: a 5xx from the token endpoint, /user or /user/emails is unreachable", async () => {
  await withGitHub(async (gh, client) => {
    for (const kind of ["token_5xx", "user_5xx", "emails_5xx"] as const) {
      const a = await authorize(client, "octocat");
      gh.failNext(kind);
      equal(await reason(client.identify(a.code, a.flow)), "unreachable", kind);
    }
  });
});

Deno.test("github: a token endpoint that never answers is unreachable at the deadline", async () => {
  await withGitHub(async (gh, client) => {
    const a = await authorize(client, "octocat");
    gh.failNext("token_hang");
    const started = performance.now();
    equal(await reason(client.identify(a.code, a.flow)), "unreachable");
    const took = performance.now() - started;
    ok(took >= 250 && took < 3_000, `${took} ms`);
  }, { timeoutMs: 300 });
});

Deno.test("github: a host that refuses connections is unreachable", async () => {
  const gh = await startGitHubStandin({
    users: USERS,
    redirectUris: [REDIRECT],
  });
  const config = configFor(gh);
  await gh.stop();
  const client = githubClient(config, REDIRECT);
  equal(await reason(client.identify("code", flow())), "unreachable");
});

Deno.test("github: reading /user and /user/emails", () => {
  const dotCom: GitHubProviderConfig = {
    kind: "github",
    id: "github",
    name: "GitHub",
    clientId: "i",
    clientSecret: "s",
    webUrl: new URL("https://github.com"),
    apiUrl: new URL("https://api.github.com"),
  };
  const user = { id: 42, login: "mona", name: "  " };
  const emails = [{ email: "m@example.com", primary: true, verified: true }];
  const who = githubIdentity(dotCom, user, emails);
  // github.com: the bare numeric id; a blank name is no name.
  equal(who.providerUserId, "42");
  equal(who.name, null);
  const client = githubClient(dotCom, REDIRECT);
  ok(client.owns("42"));
  equal(client.owns("https://ghe.example 42"), false);
  const invalid = (u: unknown, e: unknown) =>
    throws(
      () => githubIdentity(dotCom, u, e),
      (err) => err instanceof OAuthError && err.reason === "invalid_response",
    );
  invalid(null, emails);
  invalid({ login: "mona" }, emails);
  invalid({ id: "42", login: "mona" }, emails);
  invalid({ id: 0, login: "mona" }, emails);
  invalid({ id: 42, login: "<script>" }, emails);
  invalid({ id: 42, login: "mona", name: 5 }, emails);
  invalid(user, { email: "m@example.com" });
  invalid(user, [{ email: "m@example.com", primary: "true", verified: true }]);
  invalid(user, [{ email: "not-an-address", primary: true, verified: true }]);
  strictEqual(githubIdentity(dotCom, user, []).email, null);
});

Deno.test("github: a deadline must be a whole number of ms", () => {
  const config = {
    kind: "github",
    id: "github",
    name: "GitHub",
    clientId: "i",
    clientSecret: "s",
    webUrl: new URL("https://github.com"),
    apiUrl: new URL("https://api.github.com"),
  } as const;
  throws(() => githubClient(config, REDIRECT, { timeoutMs: 0 }), RangeError);
  throws(() => githubClient(config, REDIRECT, { timeoutMs: 1.5 }), RangeError);
});
