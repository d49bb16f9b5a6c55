/**
 * The behaviour every {@linkcode Cache} must have, written once and run
 * against the in-process and the Redis implementations (test-only module).
 *
 * @module
 */

import assert from "node:assert/strict";
import type { Cache, CacheStatus } from "./cache.ts";

/**
 * Two caches standing for two app instances, and how to dispose of them.
 *
 * @example
 * ```ts
 * import { createMemoryCache } from "./memory.ts";
 * const c = createMemoryCache();
 * const instances: ContractInstances = { a: c, b: c, close: () => c.close() };
 * ```
 */
export interface ContractInstances {
  a: Cache;
  b: Cache;
  close(): Promise<void>;
}

/**
 * What the suite needs from an implementation.
 *
 * @example
 * ```ts
 * import { createRedisCache } from "./redis.ts";
 * declare const url: string; // a running Redis
 * const subject: ContractSubject = {
 *   status: "ok",
 *   open: async () => {
 *     const [a, b] = [await createRedisCache(url), await createRedisCache(url)];
 *     return { a, b, close: async () => void await Promise.all([a.close(), b.close()]) };
 *   },
 * };
 * ```
 */
export interface ContractSubject {
  /** Opens two instances (for in-process, one cache twice: one process). */
  open(): Promise<ContractInstances>;
  /** `status()` while healthy. */
  status: CacheStatus;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Resolves with `promise`, or rejects once `ms` have passed: a deadline for
 * an event, where a fixed sleep would be either slow or flaky.
 *
 * @example
 * ```ts
 * const got = Promise.withResolvers<string>();
 * setTimeout(() => got.resolve("hello"), 10);
 * await within(got.promise, 2_000, "the message"); // "hello"
 * ```
 */
export async function within<T>(
  promise: Promise<T>,
  ms: number,
  what: string,
): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)),
      ms,
    );
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * A subscriber that records its messages and lets a test wait, with a
 * deadline, until it has seen `n` of them.
 *
 * @example
 * ```ts
 * const inbox = recorder();
 * inbox.handler("a");
 * await inbox.waitFor(1); // ["a"]
 * ```
 */
export function recorder(): {
  messages: string[];
  handler: (message: string) => void;
  waitFor(n: number, ms?: number): Promise<string[]>;
} {
  const messages: string[] = [];
  const waiting: { n: number; resolve: () => void }[] = [];
  return {
    messages,
    handler(message) {
      messages.push(message);
      for (const w of waiting.splice(0)) {
        if (messages.length >= w.n) w.resolve();
        else waiting.push(w);
      }
    },
    async waitFor(n, ms = 2_000) {
      if (messages.length < n) {
        const { promise, resolve } = Promise.withResolvers<void>();
        waiting.push({ n, resolve });
        await within(promise, ms, `message ${n} (have ${messages.length})`);
      }
      return messages.slice();
    },
  };
}

/**
 * Registers the contract as steps of the running test.
 *
 * @example
 * ```ts
 * import { createMemoryCache } from "./memory.ts";
 * Deno.test("memory cache contract", (t) =>
 *   cacheContract(t, {
 *     status: "in-process",
 *     open: () => {
 *       const c = createMemoryCache();
 *       return Promise.resolve({ a: c, b: c, close: () => c.close() });
 *     },
 *   }));
 * ```
 */
export async function cacheContract(
  t: Deno.TestContext,
  subject: ContractSubject,
): Promise<void> {
  // Fresh keys per step: a shared Redis must not leak state between steps.
  let n = 0;
  const key = (name: string) =>
    `contract:${crypto.randomUUID()}:${name}:${n++}`;

  async function step(
    name: string,
    fn: (i: ContractInstances) => Promise<void>,
  ) {
    await t.step(name, async () => {
      const i = await subject.open();
      try {
        await fn(i);
      } finally {
        await i.close();
      }
    });
  }

  await step("status while healthy", ({ a }) => {
    assert.equal(a.status(), subject.status);
    return Promise.resolve();
  });

  await step(
    "get/set/overwrite, shared between instances",
    async ({ a, b }) => {
      const k = key("v");
      assert.equal(await a.get(k), null);
      await a.set(k, "one", 60);
      assert.equal(await a.get(k), "one");
      assert.equal(await b.get(k), "one");
      await b.set(k, "two ✓ with unicode", 60);
      assert.equal(await a.get(k), "two ✓ with unicode");
      await a.set(k, "", 60);
      assert.equal(await a.get(k), "");
    },
  );

  await step("ttl expiry", async ({ a }) => {
    const short = key("short");
    const long = key("long");
    await a.set(short, "x", 0.25);
    await a.set(long, "y", 60);
    assert.equal(await a.get(short), "x");
    await sleep(400);
    assert.equal(await a.get(short), null);
    assert.equal(await a.get(long), "y");
    await assert.rejects(() => a.set(key("bad"), "x", 0), RangeError);
  });

  await step(
    "setIfAbsent: once per key, shared, atomic, expires",
    async ({ a, b }) => {
      const k = key("claim");
      assert.equal(await a.setIfAbsent(k, "first", 60), true);
      assert.equal(await b.setIfAbsent(k, "second", 60), false);
      assert.equal(await a.setIfAbsent(k, "third", 60), false);
      assert.equal(await b.get(k), "first");
      // A key set plainly counts as present too.
      const plain = key("claim-plain");
      await a.set(plain, "v", 60);
      assert.equal(await b.setIfAbsent(plain, "w", 60), false);
      // 50 racing claims of one key, from both instances: exactly one wins.
      const race = key("claim-race");
      const wins = await Promise.all(
        Array.from(
          { length: 50 },
          (_, i) => (i % 2 ? a : b).setIfAbsent(race, String(i), 60),
        ),
      );
      assert.equal(wins.filter((w) => w).length, 1);
      const short = key("claim-short");
      assert.equal(await a.setIfAbsent(short, "x", 0.25), true);
      await sleep(400);
      assert.equal(await b.setIfAbsent(short, "y", 60), true);
      await assert.rejects(() => a.setIfAbsent(key("bad"), "x", 0), RangeError);
    },
  );

  await step("delete one, several, none, missing", async ({ a, b }) => {
    const [k1, k2, k3] = [key("d1"), key("d2"), key("d3")];
    for (const k of [k1, k2, k3]) await a.set(k, "v", 60);
    await b.delete(k1);
    assert.equal(await a.get(k1), null);
    await a.delete(k2, k3, key("never-set"));
    assert.equal(await a.get(k2), null);
    assert.equal(await b.get(k3), null);
    await a.delete();
  });

  await step(
    "rateLimit counts, refuses with retryAfter, keys independent",
    async ({ a, b }) => {
      const k = key("rl");
      const window = 60_000;
      const seen = [];
      for (let i = 0; i < 3; i++) {
        seen.push(
          await (i % 2 ? b : a).rateLimit(k, 3, window),
        );
      }
      assert.deepEqual(
        seen.map((r) => [r.allowed, r.remaining, r.retryAfterMs]),
        [
          [true, 2, 0],
          [true, 1, 0],
          [true, 0, 0],
        ],
      );
      const refused = await b.rateLimit(k, 3, window);
      assert.equal(refused.allowed, false);
      assert.equal(refused.remaining, 0);
      assert.ok(
        refused.retryAfterMs > 0 && refused.retryAfterMs <= 2 * window,
        `${refused.retryAfterMs}`,
      );
      const other = await a.rateLimit(key("rl-other"), 3, window);
      assert.deepEqual(other, { allowed: true, remaining: 2, retryAfterMs: 0 });
    },
  );

  await step("rateLimit allows again after retryAfterMs", async ({ a }) => {
    const k = key("rl-window");
    assert.ok((await a.rateLimit(k, 2, 300)).allowed);
    assert.ok((await a.rateLimit(k, 2, 300)).allowed);
    const refused = await a.rateLimit(k, 2, 300);
    assert.equal(refused.allowed, false);
    assert.ok(
      refused.retryAfterMs >= 1 && refused.retryAfterMs <= 600,
      `${refused.retryAfterMs}`,
    );
    await sleep(refused.retryAfterMs + 30);
    assert.equal((await a.rateLimit(k, 2, 300)).allowed, true);
  });

  await step("rateLimit rejects nonsense arguments", async ({ a }) => {
    await assert.rejects(() => a.rateLimit(key("bad"), 0, 1000), RangeError);
    await assert.rejects(() => a.rateLimit(key("bad"), 5, 0), RangeError);
    await assert.rejects(
      () => a.rateLimit(key("bad"), Number.NaN, 1000),
      RangeError,
    );
  });

  await step(
    "resetRateLimit clears the counter for every instance",
    async ({ a, b }) => {
      const k = key("rl-reset");
      for (let i = 0; i < 5; i++) await a.rateLimit(k, 5, 60_000);
      assert.equal((await b.rateLimit(k, 5, 60_000)).allowed, false);
      await b.resetRateLimit(k);
      assert.deepEqual(await a.rateLimit(k, 5, 60_000), {
        allowed: true,
        remaining: 4,
        retryAfterMs: 0,
      });
      await a.resetRateLimit(key("never-counted"));
    },
  );

  await step(
    "rateLimit is atomic: 200 concurrent hits, limit 50",
    async ({ a, b }) => {
      const k = key("rl-race");
      const results = await Promise.all(
        Array.from(
          { length: 200 },
          (_, i) => (i % 2 ? a : b).rateLimit(k, 50, 3_600_000),
        ),
      );
      assert.equal(
        results.filter((r) => r.allowed).length,
        50,
      );
      const remaining = results.filter((r) => r.allowed).map((r) => r.remaining)
        .sort((x, y) => x - y);
      assert.deepEqual(remaining, Array.from({ length: 50 }, (_, i) => i));
    },
  );

  await step(
    "publish reaches subscribers of other instances; unsubscribe stops it",
    async ({ a, b }) => {
      const ch = key("ch");
      const one = recorder();
      const two = recorder();
      const stray = recorder();
      const unsub1 = await b.subscribe(ch, one.handler);
      const unsub2 = await b.subscribe(ch, two.handler);
      const unsubOther = await b.subscribe(key("other"), stray.handler);
      await a.publish(ch, "revoked:s1");
      await a.publish(ch, "revoked:s2 ✓");
      assert.deepEqual(await two.waitFor(2), ["revoked:s1", "revoked:s2 ✓"]);
      await unsub2();
      await a.publish(ch, "after");
      // One instance delivers a channel's messages in order to all of its
      // handlers, so once `one` has "after", `two` would have it too.
      assert.deepEqual(await one.waitFor(3), [
        "revoked:s1",
        "revoked:s2 ✓",
        "after",
      ]);
      assert.deepEqual(two.messages, ["revoked:s1", "revoked:s2 ✓"]);
      await unsub1();
      // A fresh subscriber tells when "nobody listens" has been delivered,
      // without guessing how long that takes.
      const sentinel = recorder();
      const unsubSentinel = await b.subscribe(ch, sentinel.handler);
      await a.publish(ch, "nobody listens");
      await sentinel.waitFor(1);
      assert.equal(one.messages.length, 3);
      assert.deepEqual(stray.messages, [], "wrong channel");
      await unsubSentinel();
      await unsubOther();
    },
  );

  await step(
    "a throwing subscriber does not break others or the publisher",
    async ({ a, b }) => {
      const ch = key("ch-throw");
      const got = Promise.withResolvers<string>();
      const errors: unknown[] = [];
      const original = console.error;
      console.error = (...args: unknown[]) => errors.push(args);
      try {
        const u1 = await b.subscribe(ch, () => {
          throw new Error("subscriber bug");
        });
        const u2 = await b.subscribe(ch, (m) => got.resolve(m));
        await a.publish(ch, "hello");
        assert.equal(await within(got.promise, 2_000, "hello"), "hello");
        await u1();
        await u2();
      } finally {
        console.error = original;
      }
      assert.equal(errors.length, 1);
    },
  );
}
