import {
  deepStrictEqual,
  equal,
  ok,
  rejects,
  strictEqual,
} from "node:assert/strict";
import { loadConfig } from "../config.ts";
import { createServices } from "../services.ts";
import { callbackUrl, oauthClients } from "./clients.ts";
import { newFlow } from "./flow.ts";

const ENV = {
  APP_URL: "https://islet.example",
  GITHUB_CLIENT_ID: "Iv1.abc",
  GITHUB_CLIENT_SECRET: "gh-s3cret",
  GITHUB_URL: "https://ghe.corp.example",
  GOOGLE_CLIENT_ID: "g",
  GOOGLE_CLIENT_SECRET: "go-s3cret",
  OIDC_PROVIDERS: "acme,corp",
  OIDC_ACME_ISSUER: "https://sso.acme.example",
  OIDC_ACME_CLIENT_ID: "islet",
  OIDC_ACME_CLIENT_SECRET: "a",
  OIDC_ACME_NAME: "Acme SSO",
  OIDC_CORP_ISSUER: "https://login.corp.example/tenant",
  OIDC_CORP_CLIENT_ID: "islet",
  OIDC_CORP_CLIENT_SECRET: "c",
};

Deno.test("oauthClients: none configured, an empty list", () => {
  const oauth = oauthClients(loadConfig({}));
  deepStrictEqual(oauth.list, []);
  strictEqual(oauth.get("github"), null);
  strictEqual(oauth.forLink("github", "1"), null);
});

Deno.test("oauthClients: every configured provider in order, by id", () => {
  const oauth = oauthClients(loadConfig(ENV));
  deepStrictEqual(
    oauth.list.map((c) => [c.id, c.name, c.provider]),
    [
      ["github", "GitHub", "github"],
      ["google", "Google", "google"],
      ["acme", "Acme SSO", "oidc"],
      ["corp", "corp", "oidc"],
    ],
  );
  equal(oauth.get("acme"), oauth.list[2]);
  strictEqual(oauth.get("Acme"), null);
  strictEqual(oauth.get("__proto__"), null);
});

Deno.test("oauthClients: the callback URL registered with each provider", async () => {
  const oauth = oauthClients(loadConfig(ENV));
  const github = oauth.get("github")!;
  const url = await github.authorizationUrl(
    newFlow({
      providerId: "github",
      next: "/",
      intent: "sign_in",
      userId: null,
      oidc: false,
    }),
  );
  equal(url.origin, "https://ghe.corp.example");
  equal(
    url.searchParams.get("redirect_uri"),
    "https://islet.example/oauth/github/callback",
  );
  equal(
    callbackUrl(new URL("https://islet.example"), "acme"),
    "https://islet.example/oauth/acme/callback",
  );
});

Deno.test("oauthClients.forLink: the client a stored identity came from, or null", () => {
  const oauth = oauthClients(loadConfig(ENV));
  equal(oauth.forLink("github", "https://ghe.corp.example 42")?.id, "github");
  // A github.com identity while the app now signs in with an Enterprise host.
  strictEqual(oauth.forLink("github", "42"), null);
  equal(oauth.forLink("google", "1098765")?.id, "google");
  equal(oauth.forLink("oidc", "https://sso.acme.example abc")?.id, "acme");
  equal(
    oauth.forLink("oidc", "https://login.corp.example/tenant u-1")?.id,
    "corp",
  );
  // An issuer that is no longer configured, or a prefix of one.
  strictEqual(oauth.forLink("oidc", "https://old.example abc"), null);
  strictEqual(oauth.forLink("oidc", "https://login.corp.example u-1"), null);
  strictEqual(oauth.forLink("oidc", "1098765"), null);
});

Deno.test("createServices builds services.oauth from the config", async () => {
  const dir = await Deno.makeTempDir({ prefix: "islet-oauth-" });
  const services = await createServices(
    loadConfig({ ...ENV, DATABASE_PATH: `${dir}/app.db` }),
    { workerChannel: null },
  );
  try {
    deepStrictEqual(services.oauth.list.map((c) => c.id), [
      "github",
      "google",
      "acme",
      "corp",
    ]);
  } finally {
    await services.close();
    await Deno.remove(dir, { recursive: true });
  }
  const bare = await Deno.makeTempDir({ prefix: "islet-oauth-" });
  const none = await createServices(
    loadConfig({ DATABASE_PATH: `${bare}/app.db` }),
    { workerChannel: null },
  );
  try {
    deepStrictEqual(none.oauth.list, []);
    ok(none.oauth.get("github") === null);
  } finally {
    await none.close();
    await Deno.remove(bare, { recursive: true });
  }
});

Deno.test("createServices passes its oauth options to the clients", async () => {
  const dir = await Deno.makeTempDir({ prefix: "islet-oauth-" });
  try {
    // A deadline of 0 ms is refused by the clients: proof it reached them.
    await rejects(
      createServices(loadConfig({ ...ENV, DATABASE_PATH: `${dir}/app.db` }), {
        workerChannel: null,
        oauth: { timeoutMs: 0 },
      }),
      RangeError,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
