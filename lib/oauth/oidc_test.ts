/**
 * The OpenID Connect client against a real provider (npm `oidc-provider`,
 * `tests/helpers/oidc_provider.ts`) over HTTP: discovery, the code flow
 * with PKCE and nonce, ID token checks, the userinfo fallback, failures.
 * The ID tokens a real provider never issues (another audience, another
 * issuer, unsigned, HMAC-signed, …) come from `oidc_fake_test_helper.ts`,
 * a few lines of jose behind a discovery document; see there.
 */
import { deepStrictEqual, equal, ok } from "node:assert/strict";
import {
  driveOidc,
  type OidcStandin,
  type OidcUserClaims,
  startOidcProvider,
} from "../../tests/helpers/oidc_provider.ts";
import { freePort } from "../../tests/helpers/redis.ts";
import type { OidcProviderConfig } from "./config.ts";
import { checkCallback, newFlow } from "./flow.ts";
import { oidcClient, type OidcClientOptions } from "./oidc.ts";
import { type OAuthClient, OAuthError } from "./provider.ts";

const REDIRECT = "http://127.0.0.1:8000/oauth/acme/callback";
const HOUR = 3_600_000;

const USERS: Record<string, OidcUserClaims> = {
  alice: {
    email: "alice@example.com",
    email_verified: true,
    name: "Alice Liddell",
    preferred_username: "alice",
  },
  bob: { email: "bob@example.com", email_verified: "true", nickname: "bobby" },
  carol: { email: "carol@example.com", email_verified: "yes" },
  dave: { email: "dave@example.com", email_verified: false },
  erin: { email: "erin@example.com" },
  frank: { name: "Frank" },
};

function configFor(
  idp: { issuer: string; clientId: string; clientSecret: string },
  over: Partial<OidcProviderConfig> = {},
): OidcProviderConfig {
  return {
    kind: "oidc",
    id: "acme",
    name: "Acme SSO",
    provider: "oidc",
    issuer: idp.issuer,
    clientId: idp.clientId,
    clientSecret: idp.clientSecret,
    ...over,
  };
}

async function withIdp(
  fn: (idp: OidcStandin) => Promise<void>,
  idTokenClaims = true,
) {
  const idp = await startOidcProvider({
    users: USERS,
    redirectUris: [REDIRECT],
    idTokenClaims,
  });
  try {
    await fn(idp);
  } finally {
    await idp.stop();
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

async function authorize(client: OAuthClient, login: string) {
  const f = flow();
  const back = await driveOidc(await client.authorizationUrl(f), login);
  const checked = checkCallback(f, "acme", back.searchParams);
  if (!checked.ok) throw new Error(`callback refused: ${checked.reason}`);
  return { flow: f, code: checked.code };
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

const discoveries = (idp: OidcStandin) =>
  idp.requests().filter((r) => r.includes("/.well-known/openid-configuration"))
    .length;

Deno.test("oidc: the authorization URL from discovery carries state, PKCE S256, nonce and the scopes", async () => {
  await withIdp(async (idp) => {
    const client = oidcClient(configFor(idp), REDIRECT);
    const f = flow();
    const url = await client.authorizationUrl(f);
    equal(url.origin, idp.issuer);
    const p = Object.fromEntries(url.searchParams);
    deepStrictEqual(
      { ...p, code_challenge: p.code_challenge.length },
      {
        response_type: "code",
        client_id: idp.clientId,
        redirect_uri: REDIRECT,
        state: f.state,
        code_challenge_method: "S256",
        code_challenge: 43,
        scope: "openid email profile",
        nonce: f.nonce,
      },
    );
  });
});

Deno.test("oidc: sign-in with a real provider, claims from the ID token", async () => {
  await withIdp(async (idp) => {
    const client = oidcClient(configFor(idp), REDIRECT);
    const { flow: f, code } = await authorize(client, "alice");
    deepStrictEqual(await client.identify(code, f), {
      provider: "oidc",
      providerId: "acme",
      providerName: "Acme SSO",
      providerUserId: `${idp.issuer} alice`,
      email: "alice@example.com",
      emailVerified: true,
      login: "alice",
      name: "Alice Liddell",
      label: "alice@example.com",
    });
    equal(idp.requests().some((r) => r.startsWith("GET /me")), false);
    ok(client.owns(`${idp.issuer} alice`));
    equal(client.owns("alice"), false);
    equal(client.owns(`${idp.issuer}x alice`), false);
  });
});

Deno.test("oidc: as Google, the identity is the bare sub", async () => {
  await withIdp(async (idp) => {
    const google = oidcClient(
      configFor(idp, { id: "google", name: "Google", provider: "google" }),
      REDIRECT.replace("acme", "google"),
    );
    idp.addRedirectUri(REDIRECT.replace("acme", "google"));
    const f = newFlow({
      providerId: "google",
      next: "/",
      intent: "sign_in",
      userId: null,
      oidc: true,
    });
    const back = await driveOidc(await google.authorizationUrl(f), "bob");
    const who = await google.identify(back.searchParams.get("code")!, f);
    equal(who.provider, "google");
    equal(who.providerUserId, "bob");
    equal(who.login, "bobby");
    ok(google.owns("bob"));
  });
});

Deno.test('oidc: email_verified counts only as true or "true"', async () => {
  await withIdp(async (idp) => {
    const client = oidcClient(configFor(idp), REDIRECT);
    const verified: Record<string, [string | null, boolean]> = {};
    for (const login of ["alice", "bob", "carol", "dave", "erin", "frank"]) {
      const { flow: f, code } = await authorize(client, login);
      const who = await client.identify(code, f);
      verified[login] = [who.email, who.emailVerified];
    }
    deepStrictEqual(verified, {
      alice: ["alice@example.com", true],
      bob: ["bob@example.com", true],
      carol: ["carol@example.com", false],
      dave: ["dave@example.com", false],
      erin: ["erin@example.com", false],
      frank: [null, false],
    });
  });
});

Deno.test("oidc: claims only at userinfo are read there", async () => {
  await withIdp(async (idp) => {
    const client = oidcClient(configFor(idp), REDIRECT);
    const { flow: f, code } = await authorize(client, "alice");
    const who = await client.identify(code, f);
    equal(who.email, "alice@example.com");
    equal(who.emailVerified, true);
    equal(who.name, "Alice Liddell");
    equal(who.login, "alice");
    ok(
      idp.requests().some((r) => r.startsWith("GET /me")),
      idp.requests().join(),
    );
  }, false);
});

Deno.test("oidc: another flow's nonce is refused", async () => {
  await withIdp(async (idp) => {
    const client = oidcClient(configFor(idp), REDIRECT);
    const { flow: f, code } = await authorize(client, "alice");
    // Same state and verifier (the provider accepts the code), another nonce.
    const other = { ...f, nonce: flow().nonce };
    equal(await reason(client.identify(code, other)), "invalid_response");
  });
});

Deno.test("oidc: an expired ID token is refused (the client's clock two hours on)", async () => {
  await withIdp(async (idp) => {
    let shift = 0;
    const options: OidcClientOptions = { now: () => Date.now() + shift };
    const client = oidcClient(configFor(idp), REDIRECT, options);
    const { flow: f, code } = await authorize(client, "alice");
    // The provider's ID tokens live an hour; 60 s of skew is tolerated.
    shift = 2 * HOUR;
    equal(await reason(client.identify(code, f)), "invalid_response");
  });
});

Deno.test("oidc: a used code, a wrong verifier and a wrong secret are provider errors", async () => {
  await withIdp(async (idp) => {
    const client = oidcClient(configFor(idp), REDIRECT);
    const once = await authorize(client, "alice");
    await client.identify(once.code, once.flow);
    equal(
      await reason(client.identify(once.code, once.flow)),
      "provider_error",
    );
    const pkce = await authorize(client, "alice");
    equal(
      await reason(
        client.identify(pkce.code, {
          ...pkce.flow,
          codeVerifier: flow().codeVerifier,
        }),
      ),
      "provider_error",
    );
    const wrong = oidcClient(
      configFor(idp, { clientSecret: "not-the-secret" }),
      REDIRECT,
    );
    const w = await authorize(client, "alice");
    equal(await reason(wrong.identify(w.code, w.flow)), "provider_error");
  });
});

Deno.test("oidc: a denied consent comes back as denied", async () => {
  await withIdp(async (idp) => {
    const client = oidcClient(configFor(idp), REDIRECT);
    const f = flow();
    const back = await driveOidc(await client.authorizationUrl(f), "alice", {
      deny: true,
    });
    const checked = checkCallback(f, "acme", back.searchParams);
    equal(checked.ok ? "ok" : checked.reason, "denied");
  });
});

Deno.test("oidc: discovery must name the configured issuer exactly", async () => {
  await withIdp(async (idp) => {
    for (
      const issuer of [
        idp.issuer.replace("localhost", "127.0.0.1"),
        idp.issuer + "/",
      ]
    ) {
      const client = oidcClient(configFor(idp, { issuer }), REDIRECT);
      equal(
        await reason(client.authorizationUrl(flow())),
        "invalid_response",
        issuer,
      );
    }
  });
});

Deno.test("oidc: discovery is read once an hour, not per flow", async () => {
  await withIdp(async (idp) => {
    let shift = 0;
    const client = oidcClient(configFor(idp), REDIRECT, {
      now: () => Date.now() + shift,
    });
    await Promise.all([
      client.authorizationUrl(flow()),
      client.authorizationUrl(flow()),
    ]);
    await client.authorizationUrl(flow());
    const { flow: f, code } = await authorize(client, "alice");
    await client.identify(code, f);
    equal(discoveries(idp), 1);
    shift = HOUR + 1;
    await client.authorizationUrl(flow());
    equal(discoveries(idp), 2);
  });
});

Deno.test("oidc: an issuer that refuses connections is unreachable", async () => {
  const issuer = `http://127.0.0.1:${freePort()}`;
  const client = oidcClient(
    configFor({ issuer, clientId: "c", clientSecret: "s" }),
    REDIRECT,
  );
  equal(await reason(client.authorizationUrl(flow())), "unreachable");
  equal(await reason(client.identify("code", flow())), "unreachable");
});
