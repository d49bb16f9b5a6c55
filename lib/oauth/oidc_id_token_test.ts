/**
 * What the OpenID Connect client refuses, produced by a real provider
 * (npm `oidc-provider`, `tests/helpers/oidc_provider.ts`): ID tokens it
 * issued and then changed and re-signed with its own key (so only the
 * client's claim checks can catch them) or sent unsigned, and endpoints
 * that fail. What even a spoiled real provider cannot produce is in
 * `oidc_refusals_test.ts`.
 */
import { equal, ok } from "node:assert/strict";
import type { JWTPayload } from "jose";
import {
  driveOidc,
  type IdTokenTamper,
  type OidcStandin,
  startOidcProvider,
} from "../../tests/helpers/oidc_provider.ts";
import { newFlow } from "./flow.ts";
import { oidcClient } from "./oidc.ts";
import { type OAuthClient, OAuthError } from "./provider.ts";

const REDIRECT = "http://127.0.0.1:8000/oauth/acme/callback";

async function withIdp(
  fn: (idp: OidcStandin, client: OAuthClient) => Promise<void>,
  o: { idTokenClaims?: boolean; timeoutMs?: number } = {},
) {
  const idp = await startOidcProvider({
    users: {
      alice: {
        email: "alice@example.com",
        email_verified: true,
        name: "Alice",
      },
    },
    redirectUris: [REDIRECT],
    idTokenClaims: o.idTokenClaims ?? true,
  });
  try {
    const client = oidcClient(
      {
        kind: "oidc",
        id: "acme",
        name: "Acme",
        provider: "oidc",
        issuer: idp.issuer,
        clientId: idp.clientId,
        clientSecret: idp.clientSecret,
      },
      REDIRECT,
      { timeoutMs: o.timeoutMs },
    );
    await fn(idp, client);
  } finally {
    await idp.stop();
  }
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

/** A whole flow as alice; the provider's next ID token spoiled by `tamper`. */
async function signIn(
  client: OAuthClient,
  idp: OidcStandin,
  tamper?: IdTokenTamper,
): Promise<string> {
  const f = newFlow({
    providerId: "acme",
    next: "/",
    intent: "sign_in",
    userId: null,
    oidc: true,
  });
  const back = await driveOidc(await client.authorizationUrl(f), "alice");
  if (tamper) idp.tamperNextIdToken(tamper);
  return await reason(client.identify(back.searchParams.get("code")!, f));
}

const now = () => Math.floor(Date.now() / 1000);

Deno.test("oidc id token: re-signed by the provider with the claims unchanged, accepted (the baseline)", async () => {
  await withIdp(async (idp, client) => {
    equal(await signIn(client, idp, { change: (c) => c }), "accepted");
    equal(
      await signIn(client, idp, {
        change: (c) => ({ ...c, aud: [c.aud as string, "other"], azp: c.aud }),
      }),
      "accepted",
    );
  });
});

Deno.test("oidc id token: a wrong audience, issuer, party, time, nonce or subject is refused", async () => {
  await withIdp(async (idp, client) => {
    const cases: Record<string, (c: JWTPayload) => JWTPayload> = {
      // A client id this provider does not know as the token's audience.
      "aud another client": (c) => ({ ...c, aud: "someone-else" }),
      "aud several, no azp": (c) => ({ ...c, aud: [c.aud as string, "other"] }),
      "azp another client": (c) => ({ ...c, azp: "someone-else" }),
      "iss another issuer": (c) => ({ ...c, iss: "http://127.0.0.1:1" }),
      "expired": (c) => ({ ...c, exp: now() - 120, iat: now() - 900 }),
      "no exp": ({ exp: _, ...c }) => c,
      "issued in the future": (c) => ({
        ...c,
        iat: now() + 600,
        exp: now() + 1200,
      }),
      "another nonce": (c) => ({ ...c, nonce: "n".repeat(43) }),
      "no nonce": ({ nonce: _, ...c }) => c,
      "no sub": ({ sub: _, ...c }) => c,
      "no iss": ({ iss: _, ...c }) => c,
      "no iat": ({ iat: _, ...c }) => c,
      "nonce a number": (c) => ({ ...c, nonce: 42 }),
      "sub too long": (c) => ({ ...c, sub: "x".repeat(256) }),
      "sub with a NUL": (c) => ({ ...c, sub: "ada\u0000" }),
      "sub with a line break": (c) => ({ ...c, sub: "ada\nevil" }),
      "email not text": (c) => ({ ...c, email: ["a@example.com"] }),
    };
    for (const [name, change] of Object.entries(cases)) {
      equal(await signIn(client, idp, { change }), "invalid_response", name);
    }
  });
});

Deno.test("oidc id token: an unsigned token is refused", async () => {
  await withIdp(async (idp, client) => {
    equal(await signIn(client, idp, { unsigned: true }), "invalid_response");
  });
});

Deno.test("oidc id token: userinfo about another subject than the token's is refused", async () => {
  await withIdp(async (idp, client) => {
    // Claims only at userinfo, whose sub (alice) is not the token's.
    equal(
      await signIn(client, idp, { change: (c) => ({ ...c, sub: "mallory" }) }),
      "invalid_response",
    );
    ok(idp.requests().some((r) => r.startsWith("GET /me")));
  }, { idTokenClaims: false });
});

Deno.test("oidc id token: a 5xx from discovery, the key set, the token endpoint or userinfo is unreachable", async () => {
  await withIdp(async (idp, client) => {
    const f = newFlow({
      providerId: "acme",
      next: "/",
      intent: "sign_in",
      userId: null,
      oidc: true,
    });
    idp.failNext("discovery_5xx");
    equal(await reason(client.authorizationUrl(f)), "unreachable");
    // Not kept: the next flow reads discovery again, and it works.
    const back = await driveOidc(await client.authorizationUrl(f), "alice");
    const code = back.searchParams.get("code")!;
    idp.failNext("token_5xx");
    equal(await reason(client.identify(code, f)), "unreachable");
    for (const kind of ["jwks_5xx", "userinfo_5xx"] as const) {
      const g = newFlow({
        providerId: "acme",
        next: "/",
        intent: "sign_in",
        userId: null,
        oidc: true,
      });
      const b = await driveOidc(await client.authorizationUrl(g), "alice");
      idp.failNext(kind);
      equal(
        await reason(client.identify(b.searchParams.get("code")!, g)),
        "unreachable",
        kind,
      );
    }
  }, { idTokenClaims: false });
});

Deno.test("oidc id token: a token endpoint that never answers is unreachable at the deadline", async () => {
  await withIdp(async (idp, client) => {
    const f = newFlow({
      providerId: "acme",
      next: "/",
      intent: "sign_in",
      userId: null,
      oidc: true,
    });
    const back = await driveOidc(await client.authorizationUrl(f), "alice");
    idp.failNext("token_hang");
    const started = performance.now();
    equal(
      await reason(client.identify(back.searchParams.get("code")!, f)),
      "unreachable",
    );
    const took = performance.now() - started;
    ok(took >= 250 && took < 3_000, `${took} ms`);
  }, { timeoutMs: 300 });
});
