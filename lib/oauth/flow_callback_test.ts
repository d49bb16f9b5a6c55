import { deepStrictEqual, equal, strictEqual } from "node:assert/strict";
import fc from "fast-check";
import { startRedis } from "../../tests/helpers/redis.ts";
import type { Cache } from "../cache/cache.ts";
import { createMemoryCache } from "../cache/memory.ts";
import { createRedisCache } from "../cache/redis.ts";
import { checkCallback, claimState, newFlow, type OAuthFlow } from "./flow.ts";
import { FLOW_MAX_AGE_MS } from "./provider.ts";

const T0 = Date.UTC(2030, 0, 1);

function signIn(): OAuthFlow {
  return newFlow({
    providerId: "acme",
    next: "/",
    intent: "sign_in",
    userId: null,
    oidc: true,
  }, T0);
}

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

async function claimOnce(cache: Cache) {
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

Deno.test("checkCallback: any query gives a result, never a throw", () => {
  const flow = signIn();
  const query = fc.array(
    fc.tuple(
      fc.constantFrom("state", "code", "error", "iss", "x"),
      fc.oneof(fc.string(), fc.constant(flow.state)),
    ),
    { maxLength: 6 },
  );
  fc.assert(
    fc.property(query, fc.integer(), (pairs, dt) => {
      const r = checkCallback(
        flow,
        "acme",
        new URLSearchParams(pairs),
        T0 + dt,
      );
      return r.ok ? r.code.length > 0 : typeof r.reason === "string";
    }),
    { numRuns: 2_000 },
  );
});
