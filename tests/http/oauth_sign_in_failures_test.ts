/**
 * Every way a provider flow can fail ends on its page, with its status,
 * the flow cookie cleared, no session, and nothing written to any table:
 * the person says no at the provider, the provider reports an error (on
 * the callback or from its token endpoint), the flow cookie is missing,
 * too old or for another state, the callback is replayed, the provider
 * answers 5xx, the ID token's nonce is not the flow's, the provider is
 * unknown. Also the IP limit on the start (not the callback) and the registration
 * limit on new accounts (a returning person is never held back by it).
 * Both engines, the real providers of the tests.
 */
import { match, ok, strictEqual } from "node:assert/strict";
import type { JWTPayload } from "jose";
import type { Answer } from "../helpers/auth.ts";
import {
  assertUnchanged,
  FLOW_COOKIE,
  FlowClient,
  rows,
  snapshotTables,
} from "./oauth_sign_in_kit.ts";
import { type OAuthKit, oauthTest } from "./oauth_sign_in_setup.ts";

/** The flow cookie's JSON, edited, written back into the client's jar. */
function editFlow(
  c: FlowClient,
  edit: (flow: Record<string, unknown>) => void,
): void {
  ok(c.flow, "a flow cookie to edit");
  const value = c.flow.slice(FLOW_COOKIE.length + 1);
  const b64 = value.replaceAll("-", "+").replaceAll("_", "/");
  const flow = JSON.parse(
    new TextDecoder().decode(
      Uint8Array.from(atob(b64), (ch) => ch.charCodeAt(0)),
    ),
  );
  edit(flow);
  const bytes = new TextEncoder().encode(JSON.stringify(flow));
  const out = btoa(String.fromCharCode(...bytes)).replaceAll("+", "-")
    .replaceAll("/", "_").replaceAll("=", "");
  c.flow = `${FLOW_COOKIE}=${out}`;
}

/** 32 random bytes, base64url: the shape of a flow secret. */
function randomSecret(): string {
  const b = crypto.getRandomValues(new Uint8Array(32));
  return btoa(String.fromCharCode(...b)).replaceAll("+", "-")
    .replaceAll("/", "_").replaceAll("=", "");
}

/** A callback URL with one parameter changed. */
function withParam(url: URL, name: string, value: string | null): URL {
  const out = new URL(url);
  if (value === null) out.searchParams.delete(name);
  else out.searchParams.set(name, value);
  return out;
}

interface Case {
  name: string;
  reason: string;
  status: number;
  /** Everything up to the last request, which it returns unsent. */
  prepare(c: FlowClient, kit: OAuthKit): Promise<() => Promise<Answer>>;
}

const CASES: Case[] = [
  {
    name: "the person says no at GitHub",
    reason: "denied",
    status: 400,
    async prepare(c, { drive }) {
      const back = await drive.github(await c.start("/oauth/github"), "alice", {
        deny: true,
      });
      return () => c.callback(back);
    },
  },
  {
    name: "the person cancels at the OpenID Connect provider",
    reason: "denied",
    status: 400,
    async prepare(c, { drive }) {
      const back = await drive.acme(await c.start("/oauth/acme"), "alice", {
        deny: true,
      });
      return () => c.callback(back);
    },
  },
  {
    name: "the provider reports another error on the callback",
    reason: "provider_error",
    status: 502,
    async prepare(c) {
      const at = await c.start("/oauth/github");
      const state = at.searchParams.get("state")!;
      return () =>
        c.visit(
          `/oauth/github/callback?error=server_error&error_description=oops&state=${state}`,
        );
    },
  },
  {
    name: "the token endpoint refuses the code",
    reason: "provider_error",
    status: 502,
    async prepare(c, { drive, github }) {
      const back = await drive.github(await c.start("/oauth/github"), "alice");
      github.failNext("token_error");
      return () => c.callback(back);
    },
  },
  {
    name: "no flow cookie (never started in this browser)",
    reason: "flow_missing",
    status: 400,
    async prepare(c, { drive }) {
      const back = await drive.github(await c.start("/oauth/github"), "alice");
      c.flow = null;
      return () => c.callback(back);
    },
  },
  {
    name: "a flow started 11 minutes ago",
    reason: "flow_expired",
    status: 400,
    async prepare(c, { drive }) {
      const back = await drive.github(await c.start("/oauth/github"), "alice");
      editFlow(c, (f) => {
        f.startedAt = Number(f.startedAt) - 11 * 60_000;
      });
      return () => c.callback(back);
    },
  },
  {
    name: "a state that is not this flow's",
    reason: "state_mismatch",
    status: 400,
    async prepare(c, { drive }) {
      const back = await drive.github(await c.start("/oauth/github"), "alice");
      return () => c.callback(withParam(back, "state", randomSecret()));
    },
  },
  {
    name: "another provider's callback for this flow",
    reason: "state_mismatch",
    status: 400,
    async prepare(c, { drive }) {
      const back = await drive.github(await c.start("/oauth/github"), "alice");
      return () => c.visit(`/oauth/google/callback${back.search}`);
    },
  },
  {
    name: "a replayed callback, flow cookie and all",
    reason: "state_reused",
    status: 400,
    async prepare(c, { drive }) {
      const back = await drive.github(await c.start("/oauth/github"), "alice");
      const flow = c.flow;
      const first = await c.callback(back);
      strictEqual(first.status, 303, first.text);
      const replayer = new FlowClient(c.app);
      replayer.flow = flow;
      return () => replayer.callback(back);
    },
  },
  {
    name: "the token endpoint answers 5xx",
    reason: "unreachable",
    status: 504,
    async prepare(c, { drive, github }) {
      const back = await drive.github(await c.start("/oauth/github"), "alice");
      github.failNext("token_5xx");
      return () => c.callback(back);
    },
  },
  {
    name: "an ID token whose nonce is not the flow's",
    reason: "invalid_response",
    status: 502,
    async prepare(c, { drive }) {
      const back = await drive.google(await c.start("/oauth/google"), "alice");
      editFlow(c, (f) => {
        f.nonce = randomSecret();
      });
      return () => c.callback(back);
    },
  },
  ...(
    [
      ["another audience", (c: JWTPayload) => ({ ...c, aud: "someone-else" })],
      [
        "another issuer",
        (c: JWTPayload) => ({ ...c, iss: "http://evil.example" }),
      ],
      ["an expiry an hour ago", (c: JWTPayload) => ({
        ...c,
        exp: Math.floor(Date.now() / 1000) - 3600,
        iat: Math.floor(Date.now() / 1000) - 7200,
      })],
      ["another nonce", (c: JWTPayload) => ({ ...c, nonce: randomSecret() })],
    ] as const
  ).map(([what, change]): Case => ({
    name: `an ID token with ${what} (re-signed by the provider's key)`,
    reason: "invalid_response",
    status: 502,
    async prepare(c, { drive, google }) {
      const back = await drive.google(await c.start("/oauth/google"), "alice");
      google.tamperNextIdToken({ change });
      return () => c.callback(back);
    },
  })),
  {
    name: "an unsigned ID token (alg none)",
    reason: "invalid_response",
    status: 502,
    async prepare(c, { drive, google }) {
      const back = await drive.google(await c.start("/oauth/google"), "alice");
      google.tamperNextIdToken({ unsigned: true });
      return () => c.callback(back);
    },
  },
  {
    name: "the OpenID Connect token endpoint answers 5xx",
    reason: "unreachable",
    status: 504,
    async prepare(c, { drive, google }) {
      const back = await drive.google(await c.start("/oauth/google"), "alice");
      google.failNext("token_5xx");
      return () => c.callback(back);
    },
  },
  {
    name: "a code without its PKCE verifier (another verifier in the cookie)",
    reason: "provider_error",
    status: 502,
    async prepare(c, { drive }) {
      const back = await drive.github(await c.start("/oauth/github"), "alice");
      editFlow(c, (f) => {
        f.codeVerifier = randomSecret();
      });
      return () => c.callback(back);
    },
  },
  {
    name: "a callback without a code",
    reason: "provider_error",
    status: 502,
    async prepare(c, { drive }) {
      const back = await drive.github(await c.start("/oauth/github"), "alice");
      return () => c.callback(withParam(back, "code", null));
    },
  },
  {
    name: "a provider that is not configured",
    reason: "unknown_provider",
    status: 404,
    async prepare(c, { drive }) {
      const back = await drive.github(await c.start("/oauth/github"), "alice");
      return () => c.visit(`/oauth/gitlab/callback${back.search}`);
    },
  },
  {
    // Last: Acme stays stopped (the kit's stop() after it is harmless).
    name: "the provider is gone between the start and the callback",
    reason: "unreachable",
    status: 504,
    async prepare(c, { drive, acme }) {
      const back = await drive.acme(await c.start("/oauth/acme"), "alice");
      await acme.stop();
      return () => c.callback(back);
    },
  },
];

oauthTest(
  "every failure ends on its page with its status: the flow cookie cleared, no session, nothing written",
  async (kit) => {
    for (const k of CASES) {
      const c = new FlowClient(kit.app);
      const send = await k.prepare(c, kit);
      const before = await snapshotTables(kit.app);
      const a = await send();
      strictEqual(a.status, k.status, `${k.name}: ${a.text.slice(0, 300)}`);
      match(a.text, new RegExp(`data-reason="${k.reason}"`), k.name);
      strictEqual(a.setCookie, null, `${k.name}: no session cookie`);
      ok(
        a.headers.getSetCookie().some((s) =>
          s.startsWith(`${FLOW_COOKIE}=;`) && /Max-Age=0/.test(s)
        ),
        `${k.name}: the flow cookie is cleared`,
      );
      strictEqual(a.headers.get("cache-control"), "no-store", k.name);
      ok(a.text.includes("Sign in with your password"), k.name);
      ok(
        !/code=|state=/.test(a.text),
        `${k.name}: no code or state in the page`,
      );
      if (k.reason !== "unknown_provider") {
        ok(a.text.includes('href="/oauth/'), `${k.name}: Try again`);
      }
      await assertUnchanged(kit.app, before, `${k.name}: nothing written`);
    }
  },
);

oauthTest(
  "the start: an unknown provider is a 404 page, an unknown intent a 400; neither starts a flow",
  async ({ app }) => {
    const c = new FlowClient(app);
    const unknown = await c.visit("/oauth/gitlab");
    strictEqual(unknown.status, 404);
    match(unknown.text, /data-reason="unknown_provider"/);
    const bad = await c.visit("/oauth/github?intent=steal");
    strictEqual(bad.status, 400);
    match(bad.text, /data-reason="bad_request"/);
    strictEqual(c.flow, null, "no flow started");
  },
);

oauthTest(
  "the start: a provider whose discovery document cannot be fetched is a 504 page, and no flow starts",
  async ({ app }) => {
    const c = new FlowClient(app);
    const down = await c.visit("/oauth/acme");
    strictEqual(down.status, 504, down.text);
    match(down.text, /Acme SSO did not answer/);
    strictEqual(c.flow, null);
  },
  // Nothing listens on port 9 (discard) of this machine.
  { env: { OIDC_ACME_ISSUER: "http://127.0.0.1:9" } },
);

oauthTest(
  "limits: the start counts against the auth limit by IP, the callback does not; new accounts against the registration limit, returning people not",
  async ({ app, drive, standins }) => {
    // The auth limit: 11 per 5 minutes per address, one per flow.
    const busy = new FlowClient(app);
    for (let i = 0; i < 11; i++) await busy.start("/oauth/github");
    const refused = await busy.visit("/oauth/github");
    strictEqual(refused.status, 429);
    ok(Number(refused.headers.get("retry-after")) > 0);
    match(refused.text, /Too many attempts/);
    // Eight whole sign-ins from one address: counting the callbacks too
    // would refuse the sixth.
    const office = "10.250.0.2";
    for (let i = 0; i < 8; i++) {
      const c = new FlowClient(app, { ip: office });
      const a = await c.flowThrough("/oauth/github", drive.github, "alice");
      strictEqual(a.status, 303, `sign-in ${i + 1}: ${a.text}`);
    }

    // Registration: 3 per hour per address, counted only for new accounts.
    const ip = "10.250.0.1";
    for (let i = 0; i < 3; i++) {
      standins.setPerson({
        login: `new${i}`,
        email: `new${i}@example.com`,
        emailVerified: true,
      });
      const c = new FlowClient(app, { ip });
      const a = await c.flowThrough("/oauth/github", drive.github, `new${i}`);
      strictEqual(a.status, 303, a.text);
    }
    standins.setPerson({
      login: "new3",
      email: "new3@example.com",
      emailVerified: true,
    });
    const before = await snapshotTables(app);
    const fourth = new FlowClient(app, { ip });
    const a = await fourth.flowThrough("/oauth/github", drive.github, "new3");
    strictEqual(a.status, 429, a.text);
    strictEqual(a.setCookie, null);
    await assertUnchanged(app, before, "no account made");
    // A returning person from the same address is signed in.
    const back = new FlowClient(app, { ip });
    const again = await back.flowThrough("/oauth/github", drive.github, "new0");
    strictEqual(again.status, 303, again.text);
    const users = await rows(
      app,
      "SELECT email FROM users WHERE email LIKE 'new%' ORDER BY email",
    );
    strictEqual(users.length, 3);
  },
);
