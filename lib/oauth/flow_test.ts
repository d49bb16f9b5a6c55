import {
  deepStrictEqual,
  equal,
  match,
  notEqual,
  ok,
  strictEqual,
  throws,
} from "node:assert/strict";
import { encodeBase64urlNoPadding } from "@oslojs/encoding";
import fc from "fast-check";
import { startRedis } from "../../tests/helpers/redis.ts";
import { createMemoryCache } from "../cache/memory.ts";
import { createRedisCache } from "../cache/redis.ts";
import {
  checkCallback,
  claimState,
  clearFlowCookie,
  flowCookie,
  newFlow,
  type OAuthFlow,
  parseFlow,
  readFlow,
} from "./flow.ts";
import { FLOW_MAX_AGE_MS } from "./provider.ts";

const T0 = Date.UTC(2030, 0, 1);
const USER = "0f8fad5b-d9cb-469f-a165-70867728950e";

function signIn(oidc = true): OAuthFlow {
  return newFlow({
    providerId: "acme",
    next: "/settings?tab=1",
    intent: "sign_in",
    userId: null,
    oidc,
  }, T0);
}

/** A request carrying the cookie a `Set-Cookie` value sets. */
function carrying(setCookie: string, secure = true): Request {
  const pair = setCookie.split(";")[0];
  return new Request(
    `${secure ? "https" : "http"}://islet.example/oauth/acme/callback`,
    { headers: { cookie: `theme=dark; ${pair}` } },
  );
}

function encode(value: unknown): string {
  return encodeBase64urlNoPadding(
    new TextEncoder().encode(JSON.stringify(value)),
  );
}

Deno.test("newFlow: fresh 256-bit secrets each time, a nonce only for OpenID Connect", () => {
  const a = signIn();
  const b = signIn();
  for (const s of [a.state, a.codeVerifier, a.nonce!]) match(s, /^[\w-]{43}$/);
  notEqual(a.state, b.state);
  notEqual(a.codeVerifier, b.codeVerifier);
  notEqual(a.nonce, b.nonce);
  notEqual(a.state, a.codeVerifier);
  strictEqual(signIn(false).nonce, null);
  strictEqual(a.startedAt, T0);
});

Deno.test("newFlow refuses what the web layer must never pass", () => {
  const base = {
    providerId: "github",
    next: "/",
    intent: "sign_in" as const,
    userId: null,
    oidc: false,
  };
  throws(() => newFlow({ ...base, next: "https://evil.example/" }), TypeError);
  throws(() => newFlow({ ...base, next: "//evil.example/" }), TypeError);
  throws(() => newFlow({ ...base, providerId: "GitHub!" }), TypeError);
  throws(() => newFlow({ ...base, intent: "link" }), TypeError);
  throws(() => newFlow({ ...base, userId: USER }), TypeError);
  ok(newFlow({ ...base, intent: "link", userId: USER }));
});

Deno.test("flowCookie: __Host- over https, HttpOnly, Lax, 10 minutes; read back whole", () => {
  const flow = newFlow({
    providerId: "github",
    next: "/billing",
    intent: "link",
    userId: USER,
    oidc: false,
  }, T0);
  const secure = flowCookie(flow, true);
  match(
    secure,
    /^__Host-oauth=[\w-]+; Path=\/; HttpOnly; SameSite=Lax; Secure; Max-Age=600$/,
  );
  deepStrictEqual(readFlow(carrying(secure), true), flow);
  const plain = flowCookie(flow, false);
  match(plain, /^oauth=[\w-]+; Path=\/; HttpOnly; SameSite=Lax; Max-Age=600$/);
  deepStrictEqual(readFlow(carrying(plain, false), false), flow);
  // Over https a plain `oauth` cookie (settable by a sibling host) is ignored.
  strictEqual(readFlow(carrying(plain), true), null);
  match(clearFlowCookie(true), /^__Host-oauth=; .*Secure; Max-Age=0; Expires=/);
  match(
    clearFlowCookie(false),
    /^oauth=; Path=\/; HttpOnly; SameSite=Lax; Max-Age=0/,
  );
});

Deno.test("readFlow: the first well-formed of several cookies; none → null", () => {
  const flow = signIn();
  const good = flowCookie(flow, true).split(";")[0];
  const req = new Request("https://islet.example/", {
    headers: { cookie: `__Host-oauth=garbage; ${good}` },
  });
  deepStrictEqual(readFlow(req, true), flow);
  strictEqual(readFlow(new Request("https://islet.example/"), true), null);
});

Deno.test("parseFlow refuses every malformed field", () => {
  const good = { ...signIn() } as Record<string, unknown>;
  deepStrictEqual(parseFlow(encode(good)), good);
  const bad: Record<string, unknown>[] = [
    { ...good, extra: 1 },
    { ...good, state: good.state + "x" },
    { ...good, state: "a".repeat(42) + "=" },
    { ...good, codeVerifier: 42 },
    { ...good, nonce: "short" },
    { ...good, providerId: "../etc" },
    { ...good, next: "//evil.example" },
    { ...good, next: "https://evil.example" },
    { ...good, next: "/\\evil.example" },
    { ...good, next: "/a\nb" },
    { ...good, intent: "admin" },
    { ...good, intent: "link", userId: null },
    { ...good, intent: "link", userId: "not-a-uuid" },
    { ...good, intent: "sign_in", userId: USER },
    { ...good, startedAt: "1" },
    { ...good, startedAt: 1.5 },
    { ...good, startedAt: -1 },
  ];
  const { nonce: _, ...noNonceKey } = good;
  bad.push(noNonceKey);
  for (const b of bad) {
    strictEqual(parseFlow(encode(b)), null, JSON.stringify(b));
  }
  for (
    const raw of [
      "",
      "!!!",
      encode(null),
      encode([good]),
      encode("flow"),
      encodeBase64urlNoPadding(new Uint8Array([0xff, 0xfe, 0x7b])),
      "A".repeat(5000),
    ]
  ) strictEqual(parseFlow(raw), null, raw.slice(0, 40));
});

Deno.test("readFlow: any cookie value gives null or a well-formed flow, never a throw", () => {
  const shaped = (f: OAuthFlow) =>
    /^[\w-]{43}$/.test(f.state) && /^[\w-]{43}$/.test(f.codeVerifier) &&
    f.next.startsWith("/") && !f.next.startsWith("//") &&
    (f.intent === "link") === (f.userId !== null);
  const cookieValue = fc.oneof(
    fc.string({ maxLength: 300 }),
    fc.string({ unit: "binary", maxLength: 300 }),
    // Well-formed base64url JSON of arbitrary shapes, and mutated flows.
    fc.jsonValue().map(encode),
    fc.record({
      providerId: fc.oneof(fc.constant("acme"), fc.string()),
      next: fc.oneof(fc.constant("/"), fc.string()),
      intent: fc.constantFrom("sign_in", "link", "other"),
      userId: fc.oneof(fc.constant(null), fc.constant(USER), fc.string()),
      startedAt: fc.oneof(fc.integer(), fc.double()),
      state: fc.oneof(fc.constant("s".repeat(43)), fc.string()),
      codeVerifier: fc.oneof(fc.constant("v".repeat(43)), fc.string()),
      nonce: fc.oneof(fc.constant(null), fc.constant("n".repeat(43))),
    }).map(encode),
  );
  fc.assert(
    fc.property(cookieValue, fc.boolean(), (value, secure) => {
      const name = secure ? "__Host-oauth" : "oauth";
      let req: Request;
      try {
        req = new Request("https://islet.example/", {
          headers: { cookie: `${name}=${value}` },
        });
      } catch {
        return true; // not a header value a client could send
      }
      const flow = readFlow(req, secure);
      return flow === null || shaped(flow);
    }),
    { numRuns: 2_000 },
  );
});

Deno.test("checkCallback: each failure, in order", () => {
  const flow = signIn();
  const q = (o: Record<string, string>) => new URLSearchParams(o);
  const good = q({ code: "c0de", state: flow.state });
  deepStrictEqual(checkCallback(flow, "acme", good, T0 + 1000), {
    ok: true,
    flow,
    code: "c0de",
  });
  const reason = (
    f: OAuthFlow | null,
    id: string,
    p: URLSearchParams,
    now = T0 + 1000,
  ) => {
    const r = checkCallback(f, id, p, now);
    return r.ok ? "ok" : r.reason;
  };
  // No cookie comes first, whatever else is wrong.
  equal(reason(null, "acme", q({ error: "access_denied" })), "flow_missing");
  // Another provider, another state, no state, two states: mismatch, even
  // when the flow has also expired or the provider reports an error.
  equal(reason(flow, "github", good), "state_mismatch");
  equal(
    reason(
      flow,
      "acme",
      q({ code: "c", state: signIn().state }),
      T0 + 2 * FLOW_MAX_AGE_MS,
    ),
    "state_mismatch",
  );
  equal(reason(flow, "acme", q({ code: "c" })), "state_mismatch");
  equal(reason(flow, "acme", q({ error: "access_denied" })), "state_mismatch");
  const twice = q({ code: "c", state: flow.state });
  twice.append("state", flow.state);
  equal(reason(flow, "acme", twice), "state_mismatch");
  equal(
    reason(flow, "acme", q({ code: "c", state: flow.state.slice(1) })),
    "state_mismatch",
  );
  // Expiry before the provider's answer.
  equal(reason(flow, "acme", good, T0 + FLOW_MAX_AGE_MS), "ok");
  equal(reason(flow, "acme", good, T0 + FLOW_MAX_AGE_MS + 1), "flow_expired");
  equal(
    reason(
      flow,
      "acme",
      q({ error: "access_denied", state: flow.state }),
      T0 + FLOW_MAX_AGE_MS + 1,
    ),
    "flow_expired",
  );
  equal(reason(flow, "acme", good, T0 - 61_000), "flow_expired");
  // The provider's error, then the code.
  equal(
    reason(
      flow,
      "acme",
      q({ error: "access_denied", state: flow.state, code: "c" }),
    ),
    "denied",
  );
  deepStrictEqual(
    checkCallback(
      flow,
      "acme",
      q({ error: "temporarily_unavailable", state: flow.state }),
      T0,
    ),
    {
      ok: false,
      reason: "provider_error",
      providerError: "temporarily_unavailable",
    },
  );
  deepStrictEqual(
    checkCallback(
      flow,
      "acme",
      q({ error: "<b>x</b>", state: flow.state }),
      T0,
    ),
    { ok: false, reason: "provider_error" },
  );
  equal(reason(flow, "acme", q({ state: flow.state })), "provider_error");
  equal(
    reason(flow, "acme", q({ state: flow.state, code: "" })),
    "provider_error",
  );
});

Deno.test("checkCallback compares states in constant time (hashed, equal length)", () => {
  // Not a timing measurement (flaky on a shared machine): the comparison
  // is made on SHA-256 digests, so a state that shares a long prefix with
  // the real one is refused exactly like one that shares nothing, and a
  // state of another length is compared at full length too.
  const flow = signIn();
  for (
    const guess of [
      flow.state.slice(0, 42) + (flow.state[42] === "A" ? "B" : "A"),
      "x",
      flow.state + flow.state,
    ]
  ) {
    deepStrictEqual(
      checkCallback(
        flow,
        "acme",
        new URLSearchParams({ code: "c", state: guess }),
        T0,
      ),
      { ok: false, reason: "state_mismatch" },
    );
  }
});

async function claimOnce(cache: import("../cache/cache.ts").Cache) {
  const a = signIn().state;
  const b = signIn().state;
  strictEqual(await claimState(cache, a), true);
  strictEqual(await claimState(cache, a), false);
  strictEqual(await claimState(cache, b), true);
  // Racing replays of a fresh state: one wins.
  const c = signIn().state;
  const wins = await Promise.all(
    Array.from({ length: 20 }, () => claimState(cache, c)),
  );
  strictEqual(wins.filter((w) => w).length, 1);
}

Deno.test("claimState: once only, on the in-process cache", async () => {
  const cache = createMemoryCache();
  try {
    await claimOnce(cache);
    // The cache holds the state's digest, never the state.
    const state = signIn().state;
    await claimState(cache, state);
    strictEqual(await cache.get(`oauth:state:${state}`), null);
  } finally {
    await cache.close();
  }
});

Deno.test("claimState: once only across two instances sharing Redis", async () => {
  const redis = await startRedis();
  const a = await createRedisCache(redis.url, { log: () => {} });
  const b = await createRedisCache(redis.url, { log: () => {} });
  try {
    await claimOnce(a);
    const state = signIn().state;
    strictEqual(await claimState(a, state), true);
    strictEqual(await claimState(b, state), false);
  } finally {
    await a.close();
    await b.close();
    await redis.stop();
  }
});
