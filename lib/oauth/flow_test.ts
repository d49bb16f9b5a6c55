import {
  deepStrictEqual,
  match,
  notEqual,
  ok,
  strictEqual,
  throws,
} from "node:assert/strict";
import { encodeBase64urlNoPadding } from "@oslojs/encoding";
import fc from "fast-check";
import {
  clearFlowCookie,
  flowCookie,
  newFlow,
  type OAuthFlow,
  parseFlow,
  readFlow,
} from "./flow.ts";
import { safeNext } from "../web/safe_next.ts";

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

Deno.test("every path safeNext gives makes a flow whose cookie reads back whole", () => {
  const path = fc.oneof(
    fc.string({ maxLength: 2100 }),
    fc.string({ unit: "binary", maxLength: 600 }).map((s) => "/" + s),
    fc.webPath().map((p) => p + "?q=" + encodeURIComponent('ü "x"')),
    fc.constant("/" + "a".repeat(2047)),
  );
  fc.assert(
    fc.property(path, fc.boolean(), fc.boolean(), (raw, secure, oidc) => {
      const next = safeNext(raw);
      const flow = newFlow({
        providerId: "acme",
        next,
        intent: "sign_in",
        userId: null,
        oidc,
      });
      const read = readFlow(carrying(flowCookie(flow, secure), secure), secure);
      deepStrictEqual(read, flow);
    }),
    { numRuns: 1_000 },
  );
});
