import {
  deepStrictEqual,
  equal,
  match,
  ok,
  strictEqual,
} from "node:assert/strict";
import { ConfigError, loadConfig, Reader } from "../config.ts";
import {
  type GitHubProviderConfig,
  type OidcProviderConfig,
  providerUrlAllowed,
  readOAuthConfig,
} from "./config.ts";

type Env = Record<string, string>;

/** The providers, and every problem (as loadConfig would list them). */
function read(env: Env) {
  const r = new Reader(env);
  const providers = readOAuthConfig(r);
  return { providers, problems: r.problems };
}

function problems(env: Env): string[] {
  const { problems } = read(env);
  ok(problems.length > 0, `expected problems for ${JSON.stringify(env)}`);
  return problems;
}

const GITHUB = {
  GITHUB_CLIENT_ID: "Iv1.abc",
  GITHUB_CLIENT_SECRET: "gh-s3cret",
};
const GOOGLE = {
  GOOGLE_CLIENT_ID: "123.apps.googleusercontent.com",
  GOOGLE_CLIENT_SECRET: "go-s3cret",
};
const ACME = {
  OIDC_PROVIDERS: "acme",
  OIDC_ACME_ISSUER: "https://sso.acme.example/realms/main",
  OIDC_ACME_CLIENT_ID: "islet",
  OIDC_ACME_CLIENT_SECRET: "acme-s3cret",
};

Deno.test("oauth config: nothing set, no provider and no problem", () => {
  deepStrictEqual(read({}), { providers: [], problems: [] });
  deepStrictEqual(loadConfig({}).oauth, []);
});

Deno.test("oauth config: GitHub on github.com with its default URLs", () => {
  const { providers, problems } = read(GITHUB);
  deepStrictEqual(problems, []);
  const [gh] = providers as GitHubProviderConfig[];
  equal(providers.length, 1);
  deepStrictEqual(
    { ...gh, webUrl: gh.webUrl.href, apiUrl: gh.apiUrl.href },
    {
      kind: "github",
      id: "github",
      name: "GitHub",
      clientId: "Iv1.abc",
      clientSecret: "gh-s3cret",
      webUrl: "https://github.com/",
      apiUrl: "https://api.github.com/",
    },
  );
});

Deno.test("oauth config: GitHub Enterprise, API under /api/v3 unless given", () => {
  const ghe = read({ ...GITHUB, GITHUB_URL: "https://ghe.corp.example" })
    .providers[0] as GitHubProviderConfig;
  equal(ghe.webUrl.href, "https://ghe.corp.example/");
  equal(ghe.apiUrl.href, "https://ghe.corp.example/api/v3");
  const withPath = read({ ...GITHUB, GITHUB_URL: "https://corp.example/git/" })
    .providers[0] as GitHubProviderConfig;
  equal(withPath.apiUrl.href, "https://corp.example/git/api/v3");
  const explicit = read({
    ...GITHUB,
    GITHUB_URL: "http://localhost:9100",
    GITHUB_API_URL: "http://127.0.0.1:9100/api/v3",
  }).providers[0] as GitHubProviderConfig;
  equal(explicit.apiUrl.href, "http://127.0.0.1:9100/api/v3");
});

Deno.test("oauth config: Google on accounts.google.com unless GOOGLE_ISSUER", () => {
  const [google] = read(GOOGLE).providers as OidcProviderConfig[];
  deepStrictEqual(google, {
    kind: "oidc",
    id: "google",
    name: "Google",
    provider: "google",
    issuer: "https://accounts.google.com",
    clientId: "123.apps.googleusercontent.com",
    clientSecret: "go-s3cret",
  });
  const local = read({ ...GOOGLE, GOOGLE_ISSUER: "http://localhost:9000/" })
    .providers[0] as OidcProviderConfig;
  // Kept exactly as written: it is compared with the issuer's own `iss`.
  equal(local.issuer, "http://localhost:9000/");
});

Deno.test("oauth config: OIDC providers in list order, names, slugs to variable names", () => {
  const { providers, problems } = read({
    ...GOOGLE,
    ...GITHUB,
    ...ACME,
    OIDC_PROVIDERS: " acme , corp-sso ",
    OIDC_ACME_NAME: "Acme SSO",
    OIDC_CORP_SSO_ISSUER: "https://login.corp.example",
    OIDC_CORP_SSO_CLIENT_ID: "c",
    OIDC_CORP_SSO_CLIENT_SECRET: "corp-s3cret",
  });
  deepStrictEqual(problems, []);
  deepStrictEqual(
    providers.map((p) => [p.id, p.name, p.kind === "oidc" && p.provider]),
    [
      ["github", "GitHub", false],
      ["google", "Google", "google"],
      ["acme", "Acme SSO", "oidc"],
      ["corp-sso", "corp-sso", "oidc"],
    ],
  );
  equal((providers[2] as OidcProviderConfig).issuer, ACME.OIDC_ACME_ISSUER);
});

Deno.test("oauth config: half a pair of credentials is a problem, naming the missing one", () => {
  deepStrictEqual(problems({ GITHUB_CLIENT_ID: "x" }), [
    "GITHUB_CLIENT_SECRET is required with GITHUB_CLIENT_ID",
  ]);
  deepStrictEqual(problems({ GOOGLE_CLIENT_SECRET: "x" }), [
    "GOOGLE_CLIENT_ID is required with GOOGLE_CLIENT_SECRET",
  ]);
  deepStrictEqual(problems({ OIDC_PROVIDERS: "acme" }), [
    "OIDC_ACME_CLIENT_ID and OIDC_ACME_CLIENT_SECRET are required for a provider listed in OIDC_PROVIDERS",
  ]);
  deepStrictEqual(problems({ ...ACME, OIDC_ACME_CLIENT_ID: "" }), [
    "OIDC_ACME_CLIENT_ID is required with OIDC_ACME_CLIENT_SECRET",
  ]);
  match(
    problems({ ...ACME, OIDC_ACME_ISSUER: "" })[0],
    /^OIDC_ACME_ISSUER is required/,
  );
});

Deno.test("oauth config: a provider's other settings without its credentials are a problem", () => {
  for (
    const name of [
      "GITHUB_URL",
      "GITHUB_API_URL",
      "GOOGLE_ISSUER",
      "GOOGLE_NAME",
    ]
  ) {
    const env = { [name]: name.endsWith("NAME") ? "G" : "https://x.example" };
    const found = problems(env);
    ok(
      found.some((p) => p.startsWith(`${name} is set without`)),
      `${name}: ${found}`,
    );
  }
});

Deno.test("oauth config: OIDC_PROVIDERS slugs must be plain, not reserved, not repeated", () => {
  for (
    const bad of ["Acme", "github", "google", "9lives", "a_b", "a".repeat(32)]
  ) {
    const found = problems({ OIDC_PROVIDERS: bad });
    match(found[0], /^OIDC_PROVIDERS must list names/, bad);
  }
  const twice = problems({ ...ACME, OIDC_PROVIDERS: "acme,acme" });
  deepStrictEqual(twice, ['OIDC_PROVIDERS lists "acme" twice']);
  deepStrictEqual(read({ OIDC_PROVIDERS: " , " }), {
    providers: [],
    problems: [],
  });
});

Deno.test("oauth config: one issuer, one provider", () => {
  const found = problems({
    ...GOOGLE,
    ...ACME,
    OIDC_ACME_ISSUER: "https://accounts.google.com",
  });
  deepStrictEqual(found, [
    "Two OpenID Connect providers have the issuer https://accounts.google.com: one identity source, one provider",
  ]);
});

Deno.test("oauth config: provider URLs are https, http only on loopback, no query, no credentials", () => {
  for (
    const [url, allowed] of [
      ["https://sso.example", true],
      ["http://localhost:9000", true],
      ["http://127.0.0.1:9000", true],
      ["http://[::1]:9000", true],
      ["http://sso.example", false],
      ["http://127.0.0.2", false],
      ["ftp://sso.example", false],
      ["https://user:pw@sso.example", false],
    ] as const
  ) strictEqual(providerUrlAllowed(new URL(url)), allowed, url);
  for (
    const [name, url] of [
      ["OIDC_ACME_ISSUER", "http://sso.acme.example"],
      ["OIDC_ACME_ISSUER", "https://sso.acme.example/?tenant=1"],
      ["OIDC_ACME_ISSUER", "https://sso.acme.example/#x"],
      ["OIDC_ACME_ISSUER", "not a url"],
      ["GITHUB_URL", "http://ghe.corp.example"],
      ["GITHUB_API_URL", "http://ghe.corp.example/api/v3"],
    ] as const
  ) {
    const found = problems({ ...ACME, ...GITHUB, [name]: url });
    ok(found.some((p) => p.startsWith(name)), `${name}=${url}: ${found}`);
  }
});

Deno.test("oauth config: names are short plain text", () => {
  match(
    problems({ ...ACME, OIDC_ACME_NAME: "<b>Acme</b>" })[0],
    /^OIDC_ACME_NAME must be a short plain name/,
  );
  match(
    problems({ ...ACME, OIDC_ACME_NAME: "A".repeat(41) })[0],
    /^OIDC_ACME_NAME must be a short plain name/,
  );
  equal(read({ ...ACME, OIDC_ACME_NAME: "A".repeat(40) }).problems.length, 0);
});

Deno.test("oauth config: problems come with the others, and never print a secret", () => {
  const env = {
    PORT: "eighty",
    GITHUB_CLIENT_SECRET: "gh-s3cret",
    ...ACME,
    OIDC_ACME_ISSUER: "https://admin:hunter2@sso.acme.example/?token=t0ken",
    GOOGLE_CLIENT_ID: "g",
    GOOGLE_CLIENT_SECRET: "go-s3cret",
    GOOGLE_ISSUER: "http://evil.example",
  };
  try {
    loadConfig(env);
    throw new Error("expected ConfigError");
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    equal(err.problems.length, 4, err.message);
    for (
      const secret of [
        "gh-s3cret",
        "hunter2",
        "admin",
        "t0ken",
        "go-s3cret",
        "acme-s3cret",
      ]
    ) {
      equal(err.message.includes(secret), false, secret);
    }
    ok(err.message.includes("OIDC_ACME_ISSUER"));
    ok(err.message.includes("PORT"));
  }
});
