/**
 * ID tokens and discovery answers a real provider never gives, from the
 * fake issuer of `oidc_fake_testing.ts` (the real-provider cases, wrong
 * nonce and expiry included, are in `oidc_test.ts`): each must be refused
 * with the right reason.
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

/** The outcome of one identify whose ID token has `claims` over good ones. */
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
    equal(
      await attempt(fake, client, {
        claims: { aud: [fake.clientId, "other"], azp: fake.clientId },
      }),
      "accepted",
    );
  });
});

Deno.test("oidc refusals: another audience, issuer or authorized party", async () => {
  await withFake(async (fake, client) => {
    const cases: Record<string, Record<string, unknown>> = {
      "aud another client": { aud: "someone-else" },
      "aud several, no azp": { aud: [fake.clientId, "other"] },
      "azp another client": { azp: "someone-else" },
      "iss another issuer": { iss: "http://127.0.0.1:1" },
      "iss missing": { iss: undefined },
    };
    for (const [name, claims] of Object.entries(cases)) {
      equal(await attempt(fake, client, { claims }), "invalid_response", name);
    }
  });
});

Deno.test("oidc refusals: unsigned, HMAC-signed or signed by a stranger", async () => {
  await withFake(async (fake, client) => {
    for (const signing of ["none", "hs256", "stranger"] as const) {
      equal(
        await attempt(fake, client, { signing }),
        "invalid_response",
        signing,
      );
    }
  });
});

Deno.test("oidc refusals: expired, from the future, or missing times, nonce or subject", async () => {
  await withFake(async (fake, client) => {
    const now = Math.floor(Date.now() / 1000);
    const cases: Record<string, Record<string, unknown>> = {
      "expired": { exp: now - 120, iat: now - 900 },
      "no exp": { exp: undefined },
      "no iat": { iat: undefined },
      "issued in the future": { iat: now + 600, exp: now + 1200 },
      "no nonce": { nonce: undefined },
      "nonce a number": { nonce: 42 },
      "no sub": { sub: undefined },
      "sub too long": { sub: "x".repeat(256) },
      "email not text": { email: ["a@example.com"] },
    };
    for (const [name, claims] of Object.entries(cases)) {
      equal(await attempt(fake, client, { claims }), "invalid_response", name);
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

Deno.test("oidc refusals: userinfo must speak of the ID token's subject", async () => {
  await withFake(async (fake, client) => {
    fake.userinfo = {
      sub: "user-1",
      email: "info@example.com",
      email_verified: "true",
      name: "Info Name",
      ["__proto__"]: { email: "polluted@example.com" },
    };
    const f = flow();
    fake.answer({
      claims: { nonce: f.nonce, email: undefined, name: "Token Name" },
    });
    const who = await client.identify("code", f);
    equal(who.email, "info@example.com");
    equal(who.emailVerified, true);
    // The ID token's claim wins over userinfo's.
    equal(who.name, "Token Name");
    ok(fake.requests.includes("GET /userinfo"));
    fake.userinfo = { sub: "user-2", email: "other@example.com" };
    equal(
      await attempt(fake, client, { claims: { email: undefined } }),
      "invalid_response",
    );
  });
});

Deno.test("oidc refusals: a failed discovery is not kept; the next flow reads it again", async () => {
  await withFake(async (fake, client) => {
    fake.failDiscovery("500");
    equal(await reason(client.authorizationUrl(flow())), "unreachable");
    equal(await reason(client.authorizationUrl(flow())), "accepted");
    equal(
      fake.requests.filter((r) => r.includes("openid-configuration")).length,
      2,
    );
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

Deno.test("oidc refusals: a key set that cannot be fetched is unreachable", async () => {
  await withFake(async (fake, client) => {
    fake.doc.jwks_uri = `http://127.0.0.1:${freePort()}/jwks`;
    equal(await attempt(fake, client), "unreachable");
  });
});

Deno.test("oidc refusals: a key set that answers 5xx is unreachable", async () => {
  await withFake(async (fake, client) => {
    fake.doc.jwks_uri = `${fake.issuer}/jwks-down`;
    equal(await attempt(fake, client), "unreachable");
  });
});
