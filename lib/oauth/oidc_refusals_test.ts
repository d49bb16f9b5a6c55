/**
 * What the OpenID Connect client refuses that even a spoiled real
 * provider cannot produce (`oidc_id_token_test.ts` has every case the
 * real npm `oidc-provider` stand-in can: changed claims re-signed with its
 * key, unsigned tokens, 5xx, a hanging token endpoint). These come from
 * the fake issuer of `oidc_fake_testing.ts`: a token HMAC-signed with the
 * client secret or signed by a stranger's key (the stand-in re-signs only
 * with its own key), a token answer without an ID token or not JSON (its
 * token endpoint always answers well-formed), a discovery document that
 * hangs or lists unusable endpoints or algorithms (its discovery is
 * oidc-provider's own), arbitrary userinfo JSON, a key set on a closed
 * port.
 */
import { equal, ok } from "node:assert/strict";
import { freePort } from "../../tests/helpers/redis.ts";
import { newFlow } from "./flow.ts";
import { oidcClient } from "./oidc.ts";
import { type FakeIssuer, startFakeIssuer } from "./oidc_fake_testing.ts";
import { type OAuthClient, OAuthError } from "./provider.ts";

const REDIRECT = "http://127.0.0.1:8000/oauth/acme/callback";

async function withFake(
  fn: (fake: FakeIssuer, client: OAuthClient) => Promise<void>,
  timeoutMs?: number,
) {
  const fake = await startFakeIssuer();
  try {
    const client = oidcClient(
      {
        kind: "oidc",
        id: "acme",
        name: "Acme",
        provider: "oidc",
        issuer: fake.issuer,
        clientId: fake.clientId,
        clientSecret: fake.clientSecret,
      },
      REDIRECT,
      { timeoutMs },
    );
    await fn(fake, client);
  } finally {
    await fake.stop();
  }
}

function flow() {
  return newFlow({
    providerId: "acme",
    next: "/",
    intent: "sign_in",
    userId: null,
    oidc: true,
  });
}

async function reason(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    if (err instanceof OAuthError) return err.reason;
    throw err;
  }
  return "accepted";
}

/** The outcome of one identify with the fake's next answer made by `o`. */
function attempt(
  fake: FakeIssuer,
  client: OAuthClient,
  o: Parameters<FakeIssuer["answer"]>[0] = {},
): Promise<string> {
  const f = flow();
  fake.answer({ ...o, claims: { nonce: f.nonce, ...o.claims } });
  return reason(client.identify("any-code", f));
}

Deno.test("oidc refusals: a good token from the fake is accepted (the baseline)", async () => {
  await withFake(async (fake, client) => {
    equal(await attempt(fake, client), "accepted");
    const now = Math.floor(Date.now() / 1000);
    // Within the 60 s of skew allowed.
    equal(
      await attempt(fake, client, {
        claims: { exp: now - 30, iat: now - 600 },
      }),
      "accepted",
    );
  });
});

Deno.test("oidc refusals: HMAC-signed with the client secret, or signed by a stranger", async () => {
  await withFake(async (fake, client) => {
    // The document lists HS256; the client takes asymmetric algorithms only.
    for (const signing of ["hs256", "stranger"] as const) {
      equal(
        await attempt(fake, client, { signing }),
        "invalid_response",
        signing,
      );
    }
  });
});

Deno.test("oidc refusals: no ID token, or a token answer that is not JSON", async () => {
  await withFake(async (fake, client) => {
    equal(
      await attempt(fake, client, { extra: { id_token: undefined } }),
      "invalid_response",
    );
    equal(await attempt(fake, client, { raw: "<html>" }), "invalid_response");
  });
});

Deno.test("oidc refusals: userinfo fills in, the ID token's claims win, __proto__ stays a key", async () => {
  await withFake(async (fake, client) => {
    fake.userinfo = JSON.parse(
      `{"sub":"user-1","email":"info@example.com","email_verified":"true",` +
        `"name":"Info Name","__proto__":{"email":"polluted@example.com"}}`,
    );
    const f = flow();
    fake.answer({
      claims: { nonce: f.nonce, email: undefined, name: "Token Name" },
    });
    const who = await client.identify("code", f);
    equal(who.email, "info@example.com");
    equal(who.emailVerified, true);
    equal(who.name, "Token Name");
    ok(fake.requests.includes("GET /userinfo"));
  });
});

Deno.test("oidc refusals: a discovery that never answers is unreachable at the deadline", async () => {
  await withFake(async (fake, client) => {
    fake.failDiscovery("hang");
    const started = performance.now();
    equal(await reason(client.authorizationUrl(flow())), "unreachable");
    const took = performance.now() - started;
    ok(took >= 250 && took < 3_000, `${took} ms`);
  }, 300);
});

Deno.test("oidc refusals: discovery documents that cannot be used", async () => {
  const cases: Record<string, (doc: Record<string, unknown>) => void> = {
    "plain-http endpoint off this machine": (d) => {
      d.token_endpoint = "http://sso.example/token";
    },
    "endpoint not a URL": (d) => {
      d.authorization_endpoint = "/authorize";
    },
    "no jwks_uri": (d) => {
      delete d.jwks_uri;
    },
    "only HMAC and none": (d) => {
      d.id_token_signing_alg_values_supported = ["HS256", "none"];
    },
    "another issuer": (d) => {
      d.issuer = "http://127.0.0.1:1";
    },
  };
  for (const [name, change] of Object.entries(cases)) {
    await withFake(async (fake, client) => {
      change(fake.doc);
      equal(
        await reason(client.authorizationUrl(flow())),
        "invalid_response",
        name,
      );
    });
  }
});

Deno.test("oidc refusals: a key set on a port that refuses connections is unreachable", async () => {
  await withFake(async (fake, client) => {
    fake.doc.jwks_uri = `http://127.0.0.1:${freePort()}/jwks`;
    equal(await attempt(fake, client), "unreachable");
  });
});
