/**
 * The GitHub stand-in behaves as GitHub documents its web flow, driven by
 * arctic's OAuth2Client (what the app uses) and plain fetch: these prove
 * the stand-in, not the app.
 */
import assert from "node:assert/strict";
import {
  CodeChallengeMethod,
  generateCodeVerifier,
  generateState,
  OAuth2Client,
} from "arctic";
import {
  driveGitHub,
  type GitHubStandin,
  startGitHubStandin,
} from "./github_standin.ts";

const REDIRECT = "http://localhost:8000/oauth/github/callback";

async function withGitHub(fn: (gh: GitHubStandin) => Promise<void>) {
  const gh = await startGitHubStandin({
    users: [
      {
        id: 583231,
        login: "octocat",
        name: "The Octocat",
        emails: [
          { email: "old@example.com", primary: false, verified: true },
          { email: "octocat@example.com", primary: true, verified: true },
        ],
      },
      { id: 2, login: "nomail", emails: [] },
    ],
    redirectUris: [REDIRECT],
  });
  try {
    await fn(gh);
  } finally {
    await gh.stop();
  }
}

function start(gh: GitHubStandin, scopes = ["read:user", "user:email"]) {
  const client = new OAuth2Client(gh.clientId, gh.clientSecret, REDIRECT);
  const state = generateState();
  const verifier = generateCodeVerifier();
  const url = client.createAuthorizationURLWithPKCE(
    `${gh.webUrl}/login/oauth/authorize`,
    state,
    CodeChallengeMethod.S256,
    verifier,
    scopes,
  );
  return { client, state, verifier, url };
}

/** The token endpoint's raw answer, as arctic would send the request. */
async function exchange(
  gh: GitHubStandin,
  fields: Record<string, string>,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: Record<string, string> }> {
  const res = await fetch(`${gh.webUrl}/login/oauth/access_token`, {
    method: "POST",
    headers: {
      accept: "application/json",
      "content-type": "application/x-www-form-urlencoded",
      ...headers,
    },
    body: new URLSearchParams(fields),
  });
  return { status: res.status, body: await res.json() };
}

function api(gh: GitHubStandin, path: string, token: string) {
  return fetch(`${gh.apiUrl}${path}`, {
    headers: {
      authorization: `Bearer ${token}`,
      accept: "application/vnd.github+json",
      "user-agent": "Islet",
    },
  });
}

Deno.test("github stand-in: the web flow with PKCE, then /user and /user/emails", async () => {
  await withGitHub(async (gh) => {
    assert.match(gh.webUrl, /^http:\/\/localhost:\d+$/);
    assert.equal(gh.apiUrl, `${gh.webUrl}/api/v3`);
    const f = start(gh);
    const back = await driveGitHub(f.url, "octocat");
    assert.equal(back.origin + back.pathname, REDIRECT);
    assert.equal(back.searchParams.get("state"), f.state);
    const tokens = await f.client.validateAuthorizationCode(
      `${gh.webUrl}/login/oauth/access_token`,
      back.searchParams.get("code")!,
      f.verifier,
    );
    assert.equal(tokens.tokenType(), "bearer");
    assert.deepEqual(tokens.scopes(), ["read:user,user:email"]);
    const token = tokens.accessToken();
    assert.match(token, /^gho_/);
    const user = await api(gh, "/user", token);
    assert.equal(user.status, 200);
    const u = await user.json();
    assert.deepEqual([u.id, u.login, u.name], [
      583231,
      "octocat",
      "The Octocat",
    ]);
    const emails = await api(gh, "/user/emails", token);
    assert.equal(emails.status, 200);
    assert.deepEqual(await emails.json(), [
      {
        email: "old@example.com",
        primary: false,
        verified: true,
        visibility: null,
      },
      {
        email: "octocat@example.com",
        primary: true,
        verified: true,
        visibility: "private",
      },
    ]);
    assert.deepEqual(gh.requests(), [
      "GET /login/oauth/authorize",
      "POST /login/oauth/authorize",
      "POST /login/oauth/access_token",
      "GET /api/v3/user",
      "GET /api/v3/user/emails",
    ]);
  });
});

Deno.test("github stand-in: errors come back as GitHub sends them, 200 with an error", async () => {
  await withGitHub(async (gh) => {
    const f = start(gh);
    const code = (await driveGitHub(f.url, "octocat")).searchParams.get(
      "code",
    )!;
    const good = {
      grant_type: "authorization_code",
      code,
      redirect_uri: REDIRECT,
      client_id: gh.clientId,
      client_secret: gh.clientSecret,
    };
    const wrong = await exchange(gh, {
      ...good,
      code_verifier: generateCodeVerifier(),
    });
    assert.equal(wrong.status, 200);
    assert.equal(wrong.body.error, "bad_verification_code");
    assert.equal(
      (await exchange(gh, { ...good, client_secret: "nope" })).body.error,
      "incorrect_client_credentials",
    );
    assert.equal(
      (await exchange(gh, {
        ...good,
        redirect_uri: "http://localhost:8000/elsewhere",
        code_verifier: f.verifier,
      })).body.error,
      "redirect_uri_mismatch",
    );
    assert.equal(
      (await exchange(gh, { ...good })).body.error,
      "bad_verification_code",
      "no verifier",
    );
    // Credentials as form fields work as well as HTTP Basic.
    const ok = await exchange(gh, { ...good, code_verifier: f.verifier });
    assert.match(ok.body.access_token, /^gho_/);
    // arctic's OAuth2Client reads a 200 as tokens: the error is in its data.
    const again = await f.client.validateAuthorizationCode(
      `${gh.webUrl}/login/oauth/access_token`,
      code,
      f.verifier,
    );
    assert.equal(
      (again.data as { error?: string }).error,
      "bad_verification_code",
    );
    assert.throws(() => again.accessToken());
  });
});

Deno.test("github stand-in: a code is single use, and a reuse revokes its token", async () => {
  await withGitHub(async (gh) => {
    const f = start(gh);
    const code = (await driveGitHub(f.url, "octocat")).searchParams.get(
      "code",
    )!;
    const fields = {
      grant_type: "authorization_code",
      code,
      code_verifier: f.verifier,
    };
    const basic = {
      authorization: `Basic ${btoa(`${gh.clientId}:${gh.clientSecret}`)}`,
    };
    const first = await exchange(gh, fields, basic);
    const token = first.body.access_token;
    assert.equal((await api(gh, "/user", token)).status, 200);
    const second = await exchange(gh, fields, basic);
    assert.equal(second.body.error, "bad_verification_code");
    const revoked = await api(gh, "/user", token);
    assert.equal(revoked.status, 401);
    assert.equal((await revoked.json()).message, "Bad credentials");
  });
});

Deno.test("github stand-in: Cancel returns access_denied with the state", async () => {
  await withGitHub(async (gh) => {
    const f = start(gh);
    const back = await driveGitHub(f.url, "octocat", { deny: true });
    assert.equal(back.origin + back.pathname, REDIRECT);
    assert.equal(back.searchParams.get("error"), "access_denied");
    assert.equal(
      back.searchParams.get("error_description"),
      "The user has denied your application access.",
    );
    assert.equal(back.searchParams.get("state"), f.state);
    assert.equal(back.searchParams.get("code"), null);
  });
});

Deno.test("github stand-in: an unregistered redirect URI, no PKCE or an unknown login is refused", async () => {
  await withGitHub(async (gh) => {
    const other = "http://localhost:8123/oauth/github/callback";
    const f = start(gh);
    const url = new URL(f.url);
    url.searchParams.set("redirect_uri", other);
    await assert.rejects(driveGitHub(url, "octocat"), /400.*redirect_uri/);
    gh.addRedirectUri(other);
    const back = await driveGitHub(url, "octocat");
    assert.equal(back.origin + back.pathname, other);

    const noPkce = new URL(f.url);
    noPkce.searchParams.delete("code_challenge");
    noPkce.searchParams.delete("code_challenge_method");
    await assert.rejects(driveGitHub(noPkce, "octocat"), /400.*S256/);
    await assert.rejects(driveGitHub(f.url, "mallory"), /422.*mallory/);
  });
});

Deno.test("github stand-in: /user/emails needs the user:email scope, the API a token", async () => {
  await withGitHub(async (gh) => {
    const f = start(gh, ["read:user"]);
    const code = (await driveGitHub(f.url, "octocat")).searchParams.get(
      "code",
    )!;
    const tokens = await f.client.validateAuthorizationCode(
      `${gh.webUrl}/login/oauth/access_token`,
      code,
      f.verifier,
    );
    const token = tokens.accessToken();
    assert.equal((await api(gh, "/user", token)).status, 200);
    const emails = await api(gh, "/user/emails", token);
    assert.equal(emails.status, 404);
    await emails.body?.cancel();
    const none = await api(gh, "/user", "gho_not_a_token");
    assert.equal(none.status, 401);
    await none.body?.cancel();
  });
});

Deno.test("github stand-in: failNext makes one request fail", async () => {
  await withGitHub(async (gh) => {
    const tokenUrl = `${gh.webUrl}/login/oauth/access_token`;
    const codeFor = async () => {
      const f = start(gh);
      const code = (await driveGitHub(f.url, "octocat")).searchParams.get(
        "code",
      )!;
      return { ...f, code };
    };

    let f = await codeFor();
    gh.failNext("token_5xx");
    await assert.rejects(
      f.client.validateAuthorizationCode(tokenUrl, f.code, f.verifier),
      (e) => (e as { status?: number }).status === 502,
    );
    // One request only: the same code still works.
    const tokens = await f.client.validateAuthorizationCode(
      tokenUrl,
      f.code,
      f.verifier,
    );
    const token = tokens.accessToken();

    f = await codeFor();
    gh.failNext("token_error");
    const refused = await f.client.validateAuthorizationCode(
      tokenUrl,
      f.code,
      f.verifier,
    );
    assert.equal(
      (refused.data as { error?: string }).error,
      "bad_verification_code",
    );

    gh.failNext("user_5xx");
    const user = await api(gh, "/user", token);
    assert.equal(user.status, 502);
    await user.body?.cancel();
    gh.fail("emails_5xx");
    const emails = await api(gh, "/user/emails", token);
    assert.equal(emails.status, 502);
    await emails.body?.cancel();
    const fine = await api(gh, "/user/emails", token);
    assert.equal(fine.status, 200);
    await fine.body?.cancel();

    f = await codeFor();
    gh.failNext("token_hang");
    const started = Date.now();
    await assert.rejects(
      fetch(tokenUrl, {
        method: "POST",
        body: new URLSearchParams({ code: f.code }),
        signal: AbortSignal.timeout(300),
      }),
      (e) => (e as Error).name === "TimeoutError",
    );
    assert.ok(Date.now() - started >= 300);
  });
});

Deno.test("github stand-in: stop() ends a hanging request", async () => {
  const gh = await startGitHubStandin({ users: [] });
  gh.failNext("token_hang");
  const pending = fetch(`${gh.webUrl}/login/oauth/access_token`, {
    method: "POST",
    body: "code=x",
  });
  await new Promise((r) => setTimeout(r, 100));
  await gh.stop();
  const res = await pending;
  assert.equal(res.status, 504);
  await res.body?.cancel();
});

Deno.test("github stand-in: without Accept JSON the token answer is form-encoded", async () => {
  await withGitHub(async (gh) => {
    const res = await fetch(`${gh.webUrl}/login/oauth/access_token`, {
      method: "POST",
      body: new URLSearchParams({ client_id: gh.clientId, code: "x" }),
    });
    assert.equal(res.status, 200);
    const body = new URLSearchParams(await res.text());
    assert.equal(body.get("error"), "incorrect_client_credentials");
  });
});
