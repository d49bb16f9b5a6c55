/**
 * The OpenID Connect stand-in behaves as a provider should, driven by the
 * same libraries the app uses (arctic for the code flow, jose for the ID
 * token): these prove the stand-in, not the app.
 */
import assert from "node:assert/strict";
import {
  CodeChallengeMethod,
  generateCodeVerifier,
  generateState,
  OAuth2Client,
  OAuth2RequestError,
} from "arctic";
import { createRemoteJWKSet, decodeJwt, jwtVerify } from "jose";
import {
  driveOidc,
  type OidcStandin,
  type OidcStandinOptions,
  startOidcProvider,
} from "./oidc_provider.ts";

const REDIRECT = "http://localhost:8000/oauth/google/callback";

const USERS: OidcStandinOptions["users"] = {
  alice: {
    email: "alice@example.com",
    email_verified: true,
    name: "Alice Liddell",
    preferred_username: "alice.l",
  },
  bob: { email: "bob@example.com", email_verified: false },
};

interface Discovery {
  issuer: string;
  authorization_endpoint: string;
  token_endpoint: string;
  userinfo_endpoint: string;
  jwks_uri: string;
  code_challenge_methods_supported: string[];
}

async function withIdp(
  fn: (idp: OidcStandin, d: Discovery) => Promise<void>,
  opts: Partial<OidcStandinOptions> = {},
): Promise<void> {
  const idp = await startOidcProvider({
    users: USERS,
    redirectUris: [REDIRECT],
    ...opts,
  });
  try {
    const res = await fetch(`${idp.issuer}/.well-known/openid-configuration`);
    assert.equal(res.status, 200);
    await fn(idp, await res.json());
  } finally {
    await idp.stop();
  }
}

/** An authorization URL as the app makes one: state, PKCE S256, nonce. */
function authUrl(client: OAuth2Client, d: Discovery) {
  const state = generateState();
  const verifier = generateCodeVerifier();
  const nonce = generateState();
  const url = client.createAuthorizationURLWithPKCE(
    d.authorization_endpoint,
    state,
    CodeChallengeMethod.S256,
    verifier,
    ["openid", "email", "profile"],
  );
  url.searchParams.set("nonce", nonce);
  return { url, state, verifier, nonce };
}

Deno.test("oidc stand-in: discovery, code flow with PKCE, a verified ID token with the user's claims", async () => {
  await withIdp(async (idp, d) => {
    assert.equal(d.issuer, idp.issuer);
    assert.match(idp.issuer, /^http:\/\/localhost:\d+$/);
    assert.deepEqual(d.code_challenge_methods_supported, ["S256"]);
    const client = new OAuth2Client(idp.clientId, idp.clientSecret, REDIRECT);
    const flow = authUrl(client, d);
    const back = await driveOidc(flow.url, "alice");
    assert.equal(back.origin + back.pathname, REDIRECT);
    assert.equal(back.searchParams.get("state"), flow.state);
    assert.equal(back.searchParams.get("iss"), idp.issuer);
    const code = back.searchParams.get("code");
    assert.ok(code);
    const tokens = await client.validateAuthorizationCode(
      d.token_endpoint,
      code,
      flow.verifier,
    );
    const { payload, protectedHeader } = await jwtVerify(
      tokens.idToken(),
      createRemoteJWKSet(new URL(d.jwks_uri)),
      { issuer: idp.issuer, audience: idp.clientId },
    );
    assert.equal(protectedHeader.alg, "RS256");
    assert.equal(payload.sub, "alice");
    assert.equal(payload.nonce, flow.nonce);
    assert.equal(payload.email, "alice@example.com");
    assert.equal(payload.email_verified, true);
    assert.equal(payload.name, "Alice Liddell");
    assert.equal(payload.preferred_username, "alice.l");
  });
});

Deno.test("oidc stand-in: idTokenClaims false keeps the claims to userinfo", async () => {
  await withIdp(async (idp, d) => {
    const client = new OAuth2Client(idp.clientId, idp.clientSecret, REDIRECT);
    const flow = authUrl(client, d);
    const back = await driveOidc(flow.url, "bob");
    const tokens = await client.validateAuthorizationCode(
      d.token_endpoint,
      back.searchParams.get("code")!,
      flow.verifier,
    );
    const claims = decodeJwt(tokens.idToken());
    assert.equal(claims.sub, "bob");
    assert.equal(claims.email, undefined);
    const res = await fetch(d.userinfo_endpoint, {
      headers: { authorization: `Bearer ${tokens.accessToken()}` },
    });
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), {
      sub: "bob",
      email: "bob@example.com",
      email_verified: false,
    });
  }, { idTokenClaims: false });
});

Deno.test("oidc stand-in: a wrong PKCE verifier and a second use of a code are refused", async () => {
  await withIdp(async (idp, d) => {
    const client = new OAuth2Client(idp.clientId, idp.clientSecret, REDIRECT);
    const flow = authUrl(client, d);
    const code = (await driveOidc(flow.url, "alice")).searchParams.get("code")!;
    const refused = (verifier: string) =>
      assert.rejects(
        client.validateAuthorizationCode(d.token_endpoint, code, verifier),
        (e) => e instanceof OAuth2RequestError && e.code === "invalid_grant",
      );
    await refused(generateCodeVerifier());

    const flow2 = authUrl(client, d);
    const code2 = (await driveOidc(flow2.url, "alice")).searchParams.get(
      "code",
    )!;
    await client.validateAuthorizationCode(
      d.token_endpoint,
      code2,
      flow2.verifier,
    );
    await assert.rejects(
      client.validateAuthorizationCode(d.token_endpoint, code2, flow2.verifier),
      (e) => e instanceof OAuth2RequestError && e.code === "invalid_grant",
    );
  });
});

Deno.test("oidc stand-in: a wrong client secret is refused", async () => {
  await withIdp(async (idp, d) => {
    const good = new OAuth2Client(idp.clientId, idp.clientSecret, REDIRECT);
    const flow = authUrl(good, d);
    const code = (await driveOidc(flow.url, "alice")).searchParams.get("code")!;
    const bad = new OAuth2Client(idp.clientId, "not the secret", REDIRECT);
    await assert.rejects(
      bad.validateAuthorizationCode(d.token_endpoint, code, flow.verifier),
      (e) => e instanceof OAuth2RequestError && e.code === "invalid_client",
    );
  });
});

Deno.test("oidc stand-in: Cancel returns access_denied with the state", async () => {
  await withIdp(async (idp, d) => {
    const client = new OAuth2Client(idp.clientId, idp.clientSecret, REDIRECT);
    const flow = authUrl(client, d);
    const back = await driveOidc(flow.url, "alice", { deny: true });
    assert.equal(back.origin + back.pathname, REDIRECT);
    assert.equal(back.searchParams.get("error"), "access_denied");
    assert.equal(back.searchParams.get("state"), flow.state);
    assert.equal(back.searchParams.get("code"), null);
  });
});

Deno.test("oidc stand-in: PKCE is required", async () => {
  await withIdp(async (idp, d) => {
    const client = new OAuth2Client(idp.clientId, idp.clientSecret, REDIRECT);
    const url = client.createAuthorizationURL(
      d.authorization_endpoint,
      generateState(),
      ["openid", "email"],
    );
    const back = await driveOidc(url, "alice");
    assert.equal(back.searchParams.get("error"), "invalid_request");
    assert.equal(back.searchParams.get("code"), null);
  });
});

Deno.test("oidc stand-in: redirect URIs match exactly, and can be added after start", async () => {
  await withIdp(async (idp, d) => {
    const other = "http://localhost:8123/oauth/google/callback";
    const client = new OAuth2Client(idp.clientId, idp.clientSecret, other);
    await assert.rejects(
      driveOidc(authUrl(client, d).url, "alice"),
      /400.*redirect_uri/,
    );
    idp.addRedirectUri(other);
    const back = await driveOidc(authUrl(client, d).url, "alice");
    assert.equal(back.origin + back.pathname, other);
  });
});

Deno.test("oidc stand-in: an unknown login is an error, setUser adds or changes a user", async () => {
  await withIdp(async (idp, d) => {
    const client = new OAuth2Client(idp.clientId, idp.clientSecret, REDIRECT);
    await assert.rejects(
      driveOidc(authUrl(client, d).url, "carol"),
      /answered 500 .*server_error/,
    );
    idp.setUser("carol", {
      email: "carol@example.com",
      email_verified: "true",
    });
    const flow = authUrl(client, d);
    const back = await driveOidc(flow.url, "carol");
    const tokens = await client.validateAuthorizationCode(
      d.token_endpoint,
      back.searchParams.get("code")!,
      flow.verifier,
    );
    const claims = decodeJwt(tokens.idToken());
    assert.equal(claims.email, "carol@example.com");
    assert.equal(claims.email_verified, "true");
  });
});

Deno.test("oidc stand-in: starts without printing oidc-provider's warnings", async () => {
  const printed: string[] = [];
  const { warn, info, log } = console;
  console.warn = console.info = console.log = (...a: unknown[]) => {
    printed.push(a.join(" "));
  };
  try {
    await withIdp(async (idp, d) => {
      const client = new OAuth2Client(idp.clientId, idp.clientSecret, REDIRECT);
      const flow = authUrl(client, d);
      const back = await driveOidc(flow.url, "alice");
      await client.validateAuthorizationCode(
        d.token_endpoint,
        back.searchParams.get("code")!,
        flow.verifier,
      );
    });
  } finally {
    Object.assign(console, { warn, info, log });
  }
  assert.deepEqual(printed, []);
});
