/**
 * The three stand-ins together: the settings they produce are the ones
 * the app's config reads, and the people are the same at each provider.
 */
import assert from "node:assert/strict";
import {
  CodeChallengeMethod,
  generateCodeVerifier,
  generateState,
  OAuth2Client,
} from "arctic";
import { decodeJwt } from "jose";
import { loadConfig } from "../../lib/config.ts";
import {
  ACME,
  driveGitHub,
  driveOidc,
  IN_PROCESS_ORIGIN,
  oauthEnv,
  type OidcStandin,
  startOAuthStandins,
} from "./oauth.ts";

Deno.test("oauth stand-ins: the env configures GitHub Enterprise, Google and Acme in the app's config", async () => {
  const s = await startOAuthStandins();
  try {
    const config = loadConfig({ DATABASE_PATH: ":memory:", ...s.env() });
    assert.deepEqual(
      config.oauth.map((p) => [p.id, p.name, p.clientId]),
      [
        ["github", "GitHub", s.github.clientId],
        ["google", "Google", s.google.clientId],
        [ACME.id, ACME.name, s.acme.clientId],
      ],
    );
    const [github, google, acme] = config.oauth;
    assert.ok(github.kind === "github");
    assert.equal(github.webUrl.href, s.github.webUrl + "/");
    assert.equal(github.apiUrl.href, s.github.apiUrl);
    assert.ok(google.kind === "oidc" && acme.kind === "oidc");
    assert.equal(google.issuer, s.google.issuer);
    assert.equal(acme.issuer, s.acme.issuer);
    assert.notEqual(google.issuer, acme.issuer);
    assert.deepEqual(Object.keys(oauthEnv({ github: s.github })).sort(), [
      "GITHUB_API_URL",
      "GITHUB_CLIENT_ID",
      "GITHUB_CLIENT_SECRET",
      "GITHUB_URL",
    ]);
    assert.equal(s.env({ OIDC_ACME_NAME: "Corp" }).OIDC_ACME_NAME, "Corp");
  } finally {
    await s.stop();
  }
});

async function oidcEmail(idp: OidcStandin, redirect: string, login: string) {
  const d = await (await fetch(
    `${idp.issuer}/.well-known/openid-configuration`,
  )).json();
  const client = new OAuth2Client(idp.clientId, idp.clientSecret, redirect);
  const verifier = generateCodeVerifier();
  const url = client.createAuthorizationURLWithPKCE(
    d.authorization_endpoint,
    generateState(),
    CodeChallengeMethod.S256,
    verifier,
    ["openid", "email"],
  );
  const back = await driveOidc(url, login);
  const tokens = await client.validateAuthorizationCode(
    d.token_endpoint,
    back.searchParams.get("code")!,
    verifier,
  );
  return decodeJwt(tokens.idToken()).email;
}

Deno.test("oauth stand-ins: registerApp adds a served app's callbacks; setPerson reaches every provider", async () => {
  const s = await startOAuthStandins();
  try {
    const origin = "http://localhost:45678";
    s.registerApp(origin);
    s.setPerson({
      login: "carol",
      email: "carol@example.com",
      emailVerified: true,
    });
    for (
      const [idp, id] of [[s.google, "google"], [s.acme, ACME.id]] as const
    ) {
      assert.equal(
        await oidcEmail(idp, `${origin}/oauth/${id}/callback`, "carol"),
        "carol@example.com",
      );
      assert.equal(
        await oidcEmail(
          idp,
          `${IN_PROCESS_ORIGIN}/oauth/${id}/callback`,
          "alice",
        ),
        "alice@example.com",
      );
    }
    const client = new OAuth2Client(
      s.github.clientId,
      s.github.clientSecret,
      `${origin}/oauth/github/callback`,
    );
    const verifier = generateCodeVerifier();
    const back = await driveGitHub(
      client.createAuthorizationURLWithPKCE(
        `${s.github.webUrl}/login/oauth/authorize`,
        generateState(),
        CodeChallengeMethod.S256,
        verifier,
        ["read:user", "user:email"],
      ),
      "carol",
    );
    const tokens = await client.validateAuthorizationCode(
      `${s.github.webUrl}/login/oauth/access_token`,
      back.searchParams.get("code")!,
      verifier,
    );
    const emails = await fetch(`${s.github.apiUrl}/user/emails`, {
      headers: { authorization: `Bearer ${tokens.accessToken()}` },
    });
    assert.deepEqual(await emails.json(), [{
      email: "carol@example.com",
      primary: true,
      verified: true,
      visibility: "private",
    }]);
  } finally {
    await s.stop();
  }
});

Deno.test("oauth stand-ins: idTokenClaims false moves Acme's claims to userinfo, not Google's", async () => {
  const s = await startOAuthStandins({ idTokenClaims: false });
  try {
    assert.equal(
      await oidcEmail(
        s.google,
        `${IN_PROCESS_ORIGIN}/oauth/google/callback`,
        "alice",
      ),
      "alice@example.com",
    );
    assert.equal(
      await oidcEmail(
        s.acme,
        `${IN_PROCESS_ORIGIN}/oauth/acme/callback`,
        "alice",
      ),
      undefined,
    );
  } finally {
    await s.stop();
  }
});
