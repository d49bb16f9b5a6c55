import assert from "node:assert/strict";
import { cacheContract } from "./contract_suite.ts";
import {
  createMemoryCache,
  slidingWindowStep,
  type WindowState,
} from "./memory.ts";

Deno.test("memory cache: contract", (t) =>
  cacheContract(t, {
    status: "in-process",
    open: () => {
      const c = createMemoryCache();
      return Promise.resolve({ a: c, b: c, close: () => c.close() });
    },
  }));

function clock(start = 1_000_000) {
  const c = { t: start, now: () => c.t };
  return c;
}

Deno.test("memory cache: ttl follows the injected clock", async () => {
  const c = clock();
  const cache = createMemoryCache({ now: c.now });
  try {
    await cache.set("k", "v", 10);
    c.t += 9_999;
    assert.equal(await cache.get("k"), "v");
    c.t += 1;
    assert.equal(await cache.get("k"), null);
  } finally {
    await cache.close();
  }
});

Deno.test("memory cache: bounded, oldest written evicted first", async () => {
  const cache = createMemoryCache({ maxEntries: 3 });
  try {
    for (const k of ["a", "b", "c"]) await cache.set(k, k, 60);
    await cache.set("a", "a2", 60); // rewriting makes "a" the youngest
    await cache.set("d", "d", 60);
    assert.deepEqual(
      await Promise.all(["a", "b", "c", "d"].map((k) => cache.get(k))),
      ["a2", null, "c", "d"],
    );
    // Counters are bounded the same way.
    for (let i = 0; i < 10; i++) await cache.rateLimit(`rl${i}`, 1, 60_000);
    assert.equal((await cache.rateLimit("rl9", 1, 60_000)).allowed, false);
    assert.equal((await cache.rateLimit("rl0", 1, 60_000)).allowed, true);
  } finally {
    await cache.close();
  }
});

Deno.test("memory cache: periodic sweep drops expired entries nobody reads", async () => {
  const c = clock();
  const cache = createMemoryCache({
    now: c.now,
    maxEntries: 2,
    sweepIntervalMs: 10,
  });
  try {
    await cache.set("old", "x", 1);
    await cache.set("keep", "y", 60);
    c.t += 2_000;
    await new Promise((r) => setTimeout(r, 40));
    // Had "old" not been swept, this write would evict "keep" instead.
    await cache.set("new", "z", 60);
    assert.equal(await cache.get("keep"), "y");
  } finally {
    await cache.close();
  }
});

Deno.test("memory cache: sliding window weighs the previous window", async () => {
  const c = clock(0);
  const cache = createMemoryCache({ now: c.now });
  try {
    c.t = 50_000; // 50 s into the first 60 s window
    for (let i = 0; i < 10; i++) {
      assert.ok((await cache.rateLimit("k", 10, 60_000)).allowed);
    }
    assert.equal((await cache.rateLimit("k", 10, 60_000)).allowed, false);
    // 15 s into the next window: 10 × 45/60 = 7.5 still count, so 2 more fit.
    c.t = 75_000;
    assert.deepEqual(await cache.rateLimit("k", 10, 60_000), {
      allowed: true,
      remaining: 1,
      retryAfterMs: 0,
    });
    assert.ok((await cache.rateLimit("k", 10, 60_000)).allowed);
    const refused = await cache.rateLimit("k", 10, 60_000);
    assert.equal(refused.allowed, false);
    // 10 × (60-e)/60 + 2 + 1 ≤ 10 once e ≥ 18 s, i.e. 3 s from now.
    assert.equal(refused.retryAfterMs, 3_000);
    // A fixed window would have allowed 20 hits around the boundary.
    c.t = 200_000;
    assert.equal((await cache.rateLimit("k", 10, 60_000)).remaining, 9);
  } finally {
    await cache.close();
  }
});

Deno.test("slidingWindowStep: retryAfterMs is exactly when the next hit fits", () => {
  const window = 1_000;
  for (const limit of [1, 2, 3, 7, 50]) {
    for (const start of [0, 1, 499, 999]) {
      let state: WindowState | undefined;
      let t = 10 * window + start;
      for (let i = 0; i < limit; i++) {
        const step = slidingWindowStep(state, t, limit, window);
        assert.ok(step.result.allowed);
        state = step.next!;
      }
      // Refused hits change nothing, so probing does not move the answer.
      const refused = slidingWindowStep(state, t, limit, window);
      assert.equal(refused.result.allowed, false);
      assert.equal(refused.next, null);
      const wait = refused.result.retryAfterMs;
      assert.ok(
        wait >= 1 && wait <= 2 * window,
        `limit ${limit} start ${start}: ${wait}`,
      );
      const before = slidingWindowStep(state, t + wait - 1, limit, window);
      assert.equal(
        before.result.allowed,
        false,
        `limit ${limit} start ${start}: early`,
      );
      t += wait;
      assert.equal(
        slidingWindowStep(state, t, limit, window).result.allowed,
        true,
      );
    }
  }
});

Deno.test("slidingWindowStep: a clock going back does not forget hits", () => {
  const first = slidingWindowStep(undefined, 120_000, 1, 60_000);
  const back = slidingWindowStep(first.next!, 30_000, 1, 60_000);
  assert.equal(back.result.allowed, false);
});

Deno.test("memory cache: unsubscribe is per subscription, close is idempotent", async () => {
  const cache = createMemoryCache();
  const got: string[] = [];
  const handler = (m: string) => got.push(m);
  const u1 = await cache.subscribe("ch", handler);
  await cache.subscribe("ch", handler);
  await u1();
  await u1();
  await cache.publish("ch", "m");
  await new Promise((r) => setTimeout(r, 0));
  assert.deepEqual(got, ["m"]);
  await cache.close();
  await cache.close();
  assert.equal(cache.status(), "in-process");
});
