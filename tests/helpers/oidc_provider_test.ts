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

Deno.test("oidc stand-in: prints none of oidc-provider's warnings, from its import to a finished flow", async () => {
  // A process of its own: the module's import-time warning happens once.
  const script = `
    import { OAuth2Client, generateCodeVerifier } from "arctic";
    import { driveOidc, startOidcProvider } from "./tests/helpers/oidc_provider.ts";
    const redirect = "http://localhost:8000/cb";
    const idp = await startOidcProvider({ users: { a: { email: "a@example.com" } }, redirectUris: [redirect] });
    const d = await (await fetch(idp.issuer + "/.well-known/openid-configuration")).json();
    const client = new OAuth2Client(idp.clientId, idp.clientSecret, redirect);
    const verifier = generateCodeVerifier();
    const url = client.createAuthorizationURLWithPKCE(d.authorization_endpoint, "s", 0, verifier, ["openid", "email"]);
    const back = await driveOidc(url, "a");
    await client.validateAuthorizationCode(d.token_endpoint, back.searchParams.get("code"), verifier);
    await driveOidc(url, "unknown").catch(() => {});
    await idp.stop();
    console.log("done");
  `;
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["eval", "--quiet", script],
    cwd: new URL("../..", import.meta.url).pathname,
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = (b: Uint8Array) => new TextDecoder().decode(b);
  assert.equal(text(out.stderr), "");
  assert.equal(text(out.stdout), "done\n");
  assert.equal(out.code, 0);
});

Deno.test("oidc stand-in: failNext fails one request to an endpoint", async () => {
  await withIdp(async (idp, d) => {
    idp.failNext("discovery_5xx");
    const discovery = `${idp.issuer}/.well-known/openid-configuration`;
    assert.equal((await fetch(discovery)).status, 502);
    const ok = await fetch(discovery);
    assert.equal(ok.status, 200);
    await ok.body?.cancel();

    idp.failNext("jwks_5xx");
    const jwks = await fetch(d.jwks_uri);
    assert.equal(jwks.status, 502);
    await jwks.body?.cancel();

    const client = new OAuth2Client(idp.clientId, idp.clientSecret, REDIRECT);
    const flow = authUrl(client, d);
    const code = (await driveOidc(flow.url, "alice")).searchParams.get("code")!;
    idp.failNext("token_5xx");
    await assert.rejects(
      client.validateAuthorizationCode(d.token_endpoint, code, flow.verifier),
      (e) => (e as { status?: number }).status === 502,
    );
    // The code was not spent by the failed request.
    const tokens = await client.validateAuthorizationCode(
      d.token_endpoint,
      code,
      flow.verifier,
    );
    idp.failNext("userinfo_5xx");
    const me = await fetch(d.userinfo_endpoint, {
      headers: { authorization: `Bearer ${tokens.accessToken()}` },
    });
    assert.equal(me.status, 502);
    await me.body?.cancel();

    idp.failNext("token_hang");
    await assert.rejects(
      fetch(d.token_endpoint, {
        method: "POST",
        body: new URLSearchParams({ grant_type: "authorization_code" }),
        signal: AbortSignal.timeout(300),
      }),
      (e) => (e as Error).name === "TimeoutError",
    );
  });
});

Deno.test("oidc stand-in: tamperNextIdToken spoils one ID token, re-signed or unsigned", async () => {
  await withIdp(async (idp, d) => {
    const client = new OAuth2Client(idp.clientId, idp.clientSecret, REDIRECT);
    const jwks = createRemoteJWKSet(new URL(d.jwks_uri));
    const idToken = async () => {
      const flow = authUrl(client, d);
      const back = await driveOidc(flow.url, "alice");
      const tokens = await client.validateAuthorizationCode(
        d.token_endpoint,
        back.searchParams.get("code")!,
        flow.verifier,
      );
      return tokens.idToken();
    };
    const verify = (token: string) =>
      jwtVerify(token, jwks, { issuer: idp.issuer, audience: idp.clientId });

    idp.tamperNextIdToken({ change: (c) => ({ ...c, aud: "someone-else" }) });
    const wrongAud = await idToken();
    // Signed by the provider's own key: only the audience check fails.
    await jwtVerify(wrongAud, jwks);
    await assert.rejects(verify(wrongAud), /aud/);

    idp.tamperNextIdToken({
      change: (c) => ({ ...c, exp: Math.floor(Date.now() / 1000) - 3600 }),
    });
    await assert.rejects(verify(await idToken()), /exp/);

    idp.tamperNextIdToken({ unsigned: true });
    const unsigned = await idToken();
    assert.equal(unsigned.split(".")[2], "");
    assert.equal(decodeJwt(unsigned).sub, "alice");
    await assert.rejects(verify(unsigned));

    // One token each: the next is sound.
    const { payload } = await verify(await idToken());
    assert.equal(payload.sub, "alice");
  });
});
