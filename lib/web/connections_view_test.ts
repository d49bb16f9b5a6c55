import { deepStrictEqual, strictEqual } from "node:assert/strict";
import { loadConfig } from "../config.ts";
import type { LinkedIdentity } from "../db/oauth_accounts.ts";
import { oauthClients } from "../oauth/clients.ts";
import {
  connectionsJson,
  connectionsView,
  providerIndexOf,
  providerNameOf,
} from "./connections_view.ts";

// The real clients, built from settings as at start-up: nothing here
// contacts a provider.
const clients = oauthClients(loadConfig({
  APP_URL: "https://islet.example",
  GITHUB_CLIENT_ID: "Iv1.abc",
  GITHUB_CLIENT_SECRET: "gh-s3cret",
  GOOGLE_CLIENT_ID: "g",
  GOOGLE_CLIENT_SECRET: "go-s3cret",
  OIDC_PROVIDERS: "acme",
  OIDC_ACME_ISSUER: "https://sso.acme.example",
  OIDC_ACME_CLIENT_ID: "islet",
  OIDC_ACME_CLIENT_SECRET: "a",
  OIDC_ACME_NAME: "Acme SSO",
}));

const DAY = 86_400_000;
const T = Date.UTC(2026, 0, 10);

function link(
  id: string,
  provider: LinkedIdentity["provider"],
  providerUserId: string,
  label: string | null,
  createdAt = T,
): LinkedIdentity {
  return { id, provider, providerUserId, label, createdAt };
}

Deno.test("connectionsView: every configured provider in order, each link under its own, the rest retired", () => {
  const view = connectionsView(clients, [
    link("7", "oidc", "https://old.example/realm 42", null, T + DAY),
    link("3", "github", "583231", "octocat", T),
    link("9", "oidc", "https://sso.acme.example sub with space", "ada@acme"),
    link("12", "github", "https://ghe.corp.example 77", "ada-ghe", T + 2 * DAY),
  ], true);
  deepStrictEqual(
    view.providers.map((p) => [p.id, p.name, p.connectHref]),
    [
      ["github", "GitHub", "/oauth/github?intent=link"],
      ["google", "Google", "/oauth/google?intent=link"],
      ["acme", "Acme SSO", "/oauth/acme?intent=link"],
    ],
  );
  deepStrictEqual(view.providers[0].connections.map((c) => c.label), [
    "octocat",
  ]);
  deepStrictEqual(view.providers[1].connections, []);
  deepStrictEqual(view.providers[2].connections.map((c) => c.id), ["9"]);
  // An issuer no longer configured is named by its issuer; a GitHub
  // Enterprise host by its host; no label: the provider's own id.
  deepStrictEqual(
    view.retired.map((r) => [r.id, r.source, r.label]),
    [
      ["7", "https://old.example/realm", "42"],
      ["12", "GitHub at ghe.corp.example", "ada-ghe"],
    ],
  );
  strictEqual(view.lastMethodId, null, "a password");
});

Deno.test("connectionsView: the last way to sign in is one link and no password, retired or not", () => {
  const only = link("5", "google", "1093", "ada@gmail.example");
  strictEqual(connectionsView(clients, [only], false).lastMethodId, "5");
  strictEqual(connectionsView(clients, [only], true).lastMethodId, null);
  const two = [only, link("6", "github", "1", "ada")];
  strictEqual(connectionsView(clients, two, false).lastMethodId, null);
  const retired = link("8", "oidc", "https://gone.example 1", "x");
  strictEqual(connectionsView(clients, [retired], false).lastMethodId, "8");
  const json = connectionsJson(connectionsView(clients, [only], false));
  deepStrictEqual(json.providers, [
    {
      id: "github",
      name: "GitHub",
      connectUrl: "/oauth/github?intent=link",
      connections: [],
    },
    {
      id: "google",
      name: "Google",
      connectUrl: "/oauth/google?intent=link",
      connections: [{
        id: "5",
        label: "ada@gmail.example",
        createdAt: "2026-01-10T00:00:00.000Z",
        lastMethod: true,
      }],
    },
    {
      id: "acme",
      name: "Acme SSO",
      connectUrl: "/oauth/acme?intent=link",
      connections: [],
    },
  ]);
  strictEqual(json.hasPassword, false);
});

Deno.test("providerNameOf and providerIndexOf: the configured name and place, else what the stored id says and past the list", () => {
  const acme = link("1", "oidc", "https://sso.acme.example s", null);
  strictEqual(providerNameOf(clients, acme), "Acme SSO");
  strictEqual(providerIndexOf(clients, acme), 2);
  const gone = link("2", "oidc", "https://gone.example s", null);
  strictEqual(providerNameOf(clients, gone), "https://gone.example");
  strictEqual(providerIndexOf(clients, gone), clients.list.length);
  const none = oauthClients(loadConfig({}));
  strictEqual(providerNameOf(none, link("3", "github", "1", null)), "GitHub");
  strictEqual(providerNameOf(none, link("4", "google", "1", null)), "Google");
  strictEqual(providerIndexOf(none, link("3", "github", "1", null)), 0);
});
