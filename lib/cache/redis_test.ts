import assert from "node:assert/strict";
import { createClient } from "redis";
import { freePort, startRedis } from "../../tests/helpers/redis.ts";
import type { Cache } from "./cache.ts";
import { cacheContract } from "./contract_suite.ts";
import { createCache } from "./mod.ts";
import {
  createRedisCache,
  redactRedisUrl,
  type RedisCacheOptions,
} from "./redis.ts";
import { startTcpProxy } from "./tcp_proxy.ts";

// These stop, restart or reconfigure their own redis-server, or reach it
// through a local proxy; an external REDIS_URL allows none of that.
const external = Boolean(Deno.env.get("REDIS_URL"));
function localTest(name: string, fn: () => Promise<void>): void {
  Deno.test({ name, ignore: external, fn });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs `fn` and fails if it takes a second or more: nothing may hang. */
async function quick<T>(what: string, fn: () => Promise<T>): Promise<T> {
  const start = performance.now();
  const v = await fn();
  const took = performance.now() - start;
  assert.ok(took < 1_000, `${what} took ${Math.round(took)} ms`);
  return v;
}

async function until(
  what: string,
  cond: () => boolean | Promise<boolean>,
  ms = 8_000,
) {
  const deadline = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for: ${what}`);
    await sleep(25);
  }
}

/** Caches that log into `logs` instead of the console, closed together. */
function opener(logs: string[] = []) {
  const open: Cache[] = [];
  return {
    logs,
    async cache(url: string, options: RedisCacheOptions = {}) {
      const c = await createRedisCache(url, {
        log: (m) => logs.push(m),
        ...options,
      });
      open.push(c);
      return c;
    },
    closeAll: () => Promise.all(open.splice(0).map((c) => c.close())),
  };
}

Deno.test("redis cache: contract, two clients as two app instances", async (t) => {
  const redis = await startRedis();
  try {
    await cacheContract(t, {
      status: "ok",
      open: async () => {
        const o = opener();
        const [a, b] = [await o.cache(redis.url), await o.cache(redis.url)];
        return { a, b, close: async () => void await o.closeAll() };
      },
    });
  } finally {
    await redis.stop();
  }
});

Deno.test("redis cache: start-up without Redis fails fast and clearly, password hidden", async () => {
  const url = `redis://:s3cret-pw@127.0.0.1:${freePort()}`;
  const started = Date.now();
  const err = await createRedisCache(url, {
    startupTimeoutMs: 300,
    log: () => {},
  })
    .then(() => assert.fail("connected to nothing"), (e: Error) => e);
  assert.ok(Date.now() - started < 3_000);
  assert.match(
    err.message,
    /cannot connect to Redis at redis:\/\/:\*\*\*@127\.0\.0\.1:\d+/,
  );
  assert.doesNotMatch(err.message, /s3cret/);

  const viaMod = await createCache(url, { startupTimeoutMs: 300 }).catch((
    e: Error,
  ) => e);
  assert.ok(viaMod instanceof Error);
  assert.match(viaMod.message, /REDIS_URL is set but Redis is unreachable/);
  assert.doesNotMatch(viaMod.message, /s3cret/);

  for (
    const bad of ["redis://:s3cret@[nope", "http://:s3cret@localhost:6379"]
  ) {
    const e = await createRedisCache(bad).catch((e: Error) => e);
    assert.ok(e instanceof Error);
    assert.doesNotMatch(e.message, /s3cret/);
  }
  assert.equal(
    redactRedisUrl("rediss://user:p%40ss@h:1/2"),
    "rediss://user:***@h:1/2",
  );
  assert.equal(redactRedisUrl("redis://h:6379"), "redis://h:6379");
});

Deno.test("createCache: in-process without REDIS_URL", async () => {
  for (const url of [undefined, "", "  "]) {
    const c = await createCache(url);
    assert.equal(c.status(), "in-process");
    await c.close();
  }
});

localTest(
  "redis cache: Redis dies mid-run, calls keep answering, then it recovers",
  async () => {
    const redis = await startRedis();
    const o = opener();
    try {
      const a = await o.cache(redis.url);
      const b = await o.cache(redis.url);
      const gotB: string[] = [];
      await b.subscribe("sessions", (m) => gotB.push(m));
      await a.set("k", "v", 60);

      await redis.kill();
      await until("a notices", () => a.status() === "degraded", 2_000);

      assert.equal(await quick("get", () => a.get("k")), null);
      await quick("set", () => a.set("k2", "v", 60));
      await quick("delete", () => a.delete("k"));
      await quick("publish", () => a.publish("sessions", "lost"));
      const gotA: string[] = [];
      await quick("subscribe", () => a.subscribe("late", (m) => gotA.push(m)));
      // Rate limits still limit, in process.
      const hits = [];
      for (let i = 0; i < 4; i++) {
        hits.push(await quick("rateLimit", () => a.rateLimit("rl", 3, 60_000)));
      }
      assert.deepEqual(hits.map((h) => h.allowed), [true, true, true, false]);
      assert.ok(hits[3].retryAfterMs > 0);
      await quick("resetRateLimit", () => a.resetRateLimit("rl"));
      assert.equal((await a.rateLimit("rl", 3, 60_000)).allowed, true);
      // One-time claims still hold once, in process.
      assert.equal(
        await quick("setIfAbsent", () => a.setIfAbsent("c", "1", 60)),
        true,
      );
      assert.equal(
        await quick("setIfAbsent", () => a.setIfAbsent("c", "1", 60)),
        false,
      );
      assert.equal(a.status(), "degraded");
      // One line per instance (a and b), not one per reconnection attempt.
      assert.equal(
        o.logs.filter((l) => l.includes("unreachable")).length,
        2,
        o.logs.join("\n"),
      );

      await redis.restart();
      await until(
        "both back",
        () => a.status() === "ok" && b.status() === "ok",
      );
      assert.ok(o.logs.some((l) => l.includes("is back")), o.logs.join("\n"));

      // Back on Redis: shared state again, and both subscriptions work: the
      // one node-redis re-established, and the one made during the outage.
      await a.set("k3", "v3", 60);
      assert.equal(await b.get("k3"), "v3");
      await a.publish("sessions", "revoked:1");
      await b.publish("late", "hello");
      await until(
        "messages",
        () => gotB.includes("revoked:1") && gotA.includes("hello"),
        3_000,
      );
      assert.ok(!gotB.includes("lost"));
    } finally {
      await o.closeAll();
      await redis.stop();
    }
  },
);

localTest(
  "redis cache: a delete during an outage is replayed (Redis kept the key)",
  async () => {
    const redis = await startRedis();
    const proxy = startTcpProxy(redis.port);
    const o = opener();
    try {
      const a = await o.cache(proxy.url);
      const b = await o.cache(redis.url);
      await a.set("session:1", "alice", 3600);

      proxy.cut();
      await until("a notices", () => a.status() === "degraded", 2_000);
      await quick("delete", () => a.delete("session:1", "session:2"));
      // The danger: Redis itself still has the revoked session.
      assert.equal(await b.get("session:1"), "alice");
      assert.equal(await a.get("session:1"), null);

      proxy.resume();
      await until("a replays and is ok", () => a.status() === "ok");
      assert.equal(await b.get("session:1"), null);
      assert.equal(await a.get("session:1"), null);
    } finally {
      await o.closeAll();
      await proxy.close();
      await redis.stop();
    }
  },
);

localTest(
  "redis cache: a delete during an outage wins over a write-back after restart()",
  async () => {
    const redis = await startRedis();
    const proxy = startTcpProxy(redis.port);
    const o = opener();
    try {
      const a = await o.cache(proxy.url);
      await a.set("session:1", "alice", 3600);
      await redis.kill();
      // Keep `a` away from the new server until the key is back in it.
      proxy.cut();
      await until("a notices", () => a.status() === "degraded", 2_000);
      await quick("delete", () => a.delete("session:1"));

      await redis.restart();
      // Another instance (or a restored snapshot) puts the session back.
      const writer = createClient({ url: redis.url });
      await writer.connect();
      try {
        await writer.set("session:1", "alice");
        proxy.resume();
        await until("a replays and is ok", () => a.status() === "ok");
        assert.equal(await writer.get("session:1"), null);
      } finally {
        writer.destroy();
      }
    } finally {
      await o.closeAll();
      await proxy.close();
      await redis.stop();
    }
  },
);

localTest(
  "redis cache: a hung Redis costs one timeout, then calls answer at once",
  async () => {
    const redis = await startRedis();
    const proxy = startTcpProxy(redis.port);
    const o = opener();
    try {
      const a = await o.cache(proxy.url);
      await a.set("k", "v", 60);
      proxy.stall();
      assert.equal(
        await quick("first get (times out)", () => a.get("k")),
        null,
      );
      assert.equal(a.status(), "degraded");
      const start = performance.now();
      assert.equal(await a.get("k"), null);
      assert.ok((await a.rateLimit("rl", 1, 60_000)).allowed);
      assert.equal((await a.rateLimit("rl", 1, 60_000)).allowed, false);
      // Far below the 500 ms that a timed-out command costs.
      assert.ok(
        performance.now() - start < 300,
        "calls during the pause wait for nothing",
      );

      proxy.resume();
      await until("ok again", () => a.status() === "ok", 3_000);
      assert.equal(await a.get("k"), "v");
    } finally {
      await o.closeAll();
      await proxy.close();
      await redis.stop();
    }
  },
);

localTest("redis cache: logs never show the password", async () => {
  const redis = await startRedis();
  const admin = createClient({ url: redis.url });
  await admin.connect();
  const proxy = startTcpProxy(redis.port);
  const o = opener();
  try {
    await admin.configSet("requirepass", "pw-Секрет");
    const url = `redis://:${encodeURIComponent("pw-Секрет")}@${
      new URL(proxy.url).host
    }`;
    const a = await o.cache(url);
    assert.equal(a.status(), "ok");
    proxy.cut();
    await until("a notices", () => a.status() === "degraded", 2_000);
    proxy.resume();
    await until("back", () => a.status() === "ok");
    assert.ok(o.logs.length >= 2);
    for (const line of o.logs) {
      assert.doesNotMatch(line, /Секрет|%D0%A1/, line);
      assert.match(line, /redis:\/\/:\*\*\*@127\.0\.0\.1/);
    }
  } finally {
    await o.closeAll();
    await proxy.close();
    admin.destroy();
    await redis.stop();
  }
});
