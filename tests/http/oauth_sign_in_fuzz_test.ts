/**
 * The callback and the start never answer 500, whatever comes: arbitrary
 * query strings (with and without the real parameters, repeated, empty,
 * oversized, binary) and arbitrary cookies (garbage, a real flow cookie,
 * one edited field by field) — fast-check, on both engines, against the
 * real providers. The answers are the designed ones only: a redirect, a
 * 4xx page, or a 502 when a made-up code reaches the provider's token
 * endpoint (the provider refused it); no session unless a real flow
 * completed, and the flow cookie cleared by every callback.
 */
import { ok, strictEqual } from "node:assert/strict";
import fc from "fast-check";
import { FLOW_COOKIE, FlowClient } from "./oauth_sign_in_kit.ts";
import { oauthTest } from "./oauth_sign_in_setup.ts";

const RUNS = Number(Deno.env.get("OAUTH_FUZZ_RUNS") ?? 150);

const text = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: "binary", maxLength: 40 }),
  fc.constantFrom(
    "",
    "access_denied",
    "server_error",
    "%",
    "%00",
    "a".repeat(3000),
  ),
);

/** `k=v&…` over the callback's parameters and others, raw or encoded. */
const query = fc.array(
  fc.tuple(
    fc.oneof(
      fc.constantFrom("code", "state", "error", "error_description", "iss"),
      fc.string({ maxLength: 8 }),
    ),
    text,
    fc.boolean(),
  ),
  { maxLength: 6 },
).map((pairs) =>
  pairs.map(([k, v, raw]) =>
    raw ? `${k}=${v}` : `${encodeURIComponent(k)}=${encodeURIComponent(v)}`
  ).join("&")
);

/** What the cookie header carries besides a session. */
type CookieKind =
  | { kind: "none" }
  | { kind: "garbage"; value: string }
  | { kind: "real"; withState: boolean }
  | { kind: "edited"; field: string; value: unknown };

const cookieKind: fc.Arbitrary<CookieKind> = fc.oneof(
  fc.constant({ kind: "none" as const }),
  fc.string({ unit: "binary", maxLength: 200 }).map((value) => ({
    kind: "garbage" as const,
    value,
  })),
  fc.boolean().map((withState) => ({ kind: "real" as const, withState })),
  fc.record({
    field: fc.constantFrom(
      "providerId",
      "next",
      "intent",
      "userId",
      "startedAt",
      "state",
      "codeVerifier",
      "nonce",
      "extra",
    ),
    value: fc.jsonValue({ maxDepth: 2 }),
  }).map((e) => ({ kind: "edited" as const, ...e })),
);

function reencode(cookie: string, field: string, value: unknown): string {
  const v = cookie.slice(FLOW_COOKIE.length + 1);
  const json = JSON.parse(
    new TextDecoder().decode(
      Uint8Array.from(
        atob(v.replaceAll("-", "+").replaceAll("_", "/")),
        (c) => c.charCodeAt(0),
      ),
    ),
  );
  json[field] = value;
  const bytes = new TextEncoder().encode(JSON.stringify(json));
  return `${FLOW_COOKIE}=${
    btoa(String.fromCharCode(...bytes)).replaceAll("+", "-").replaceAll(
      "/",
      "_",
    ).replaceAll("=", "")
  }`;
}

const ALLOWED = new Set([303, 400, 403, 404, 409, 502, 504]);

oauthTest(
  "property: any query and cookie on the callback (and the start) is answered by design, never a 500",
  async ({ app }) => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom("github", "google", "acme", "nope", "%2e%2e"),
        query,
        cookieKind,
        async (provider, q, ck) => {
          const c = new FlowClient(app);
          let search = q;
          if (ck.kind === "real" || ck.kind === "edited") {
            const at = await c.start(
              `/oauth/${
                provider === "nope" || provider === "%2e%2e"
                  ? "github"
                  : provider
              }`,
            );
            if (ck.kind === "edited") {
              c.flow = reencode(c.flow!, ck.field, ck.value);
            }
            if (ck.kind === "edited" || ck.withState) {
              search = `${q}&state=${at.searchParams.get("state")}`;
            }
          } else if (ck.kind === "garbage") {
            // What a browser could send: printable ASCII, no separator.
            c.flow = `${FLOW_COOKIE}=${
              ck.value.replace(/[^\x21-\x7e]|;/g, "")
            }`;
          }
          const a = await c.visit(`/oauth/${provider}/callback?${search}`);
          ok(ALLOWED.has(a.status), `${a.status} for ${provider} ?${search}`);
          strictEqual(
            a.setCookie,
            null,
            "no flow completes with a made-up code",
          );
          if (a.status !== 404 || provider !== "%2e%2e") {
            ok(
              a.headers.getSetCookie().some((s) =>
                s.startsWith(`${FLOW_COOKIE}=;`)
              ),
              `the flow cookie is cleared (${a.status})`,
            );
          }
          // `/oauth/%2e%2e` is the home page: no start to test there.
          if (provider === "%2e%2e") return;
          const start = await c.visit(`/oauth/${provider}?${q}`);
          ok(
            [303, 400, 403, 404].includes(start.status),
            `start: ${start.status} for ?${q}`,
          );
        },
      ),
      { numRuns: RUNS },
    );
    ok(!/\n\s+at .*\.ts:\d+/.test(app.logs()), `no stack trace: ${app.logs()}`);
  },
  { env: { RATE_LIMITS: "off" } },
);
