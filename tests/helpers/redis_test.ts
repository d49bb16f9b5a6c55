import assert from "node:assert/strict";
import { freePort, ping, startRedis } from "./redis.ts";

// These exercise the private redis-server lifecycle; an external REDIS_URL
// cannot be stopped or restarted, so they only make sense without it.
const external = Boolean(Deno.env.get("REDIS_URL"));

/** Raw RESP round trip, so the helper is tested without any client library. */
async function command(port: number, ...args: string[]): Promise<string> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  try {
    const req = `*${args.length}\r\n` +
      args.map((a) => `$${new TextEncoder().encode(a).length}\r\n${a}\r\n`)
        .join("");
    await conn.write(new TextEncoder().encode(req));
    const buf = new Uint8Array(4096);
    let got = "";
    // Enough for the simple/bulk single-line replies used below.
    while (!/^(\+|-|:).*\r\n$|^\$-1\r\n$|^\$\d+\r\n.*\r\n$/s.test(got)) {
      const n = await conn.read(buf);
      if (n === null) break;
      got += new TextDecoder().decode(buf.subarray(0, n));
    }
    return got;
  } finally {
    conn.close();
  }
}

Deno.test("freePort returns a bindable port", () => {
  const port = freePort();
  assert.ok(port > 0 && port < 65536);
  const l = Deno.listen({ hostname: "127.0.0.1", port });
  l.close();
});

Deno.test({
  name: "startRedis: start, PING, stop, restart on the same port, stop",
  ignore: external,
  async fn() {
    const redis = await startRedis();
    try {
      assert.equal(redis.url, `redis://127.0.0.1:${redis.port}`);
      assert.equal(await command(redis.port, "PING"), "+PONG\r\n");
      assert.equal(await command(redis.port, "SET", "k", "v"), "+OK\r\n");
      assert.equal(await command(redis.port, "GET", "k"), "$1\r\nv\r\n");

      await redis.stop();
      assert.equal(await ping(redis.port, 500), false, "still up after stop");
      await assert.rejects(
        Deno.connect({ hostname: "127.0.0.1", port: redis.port }),
      );

      await redis.restart();
      assert.equal(await command(redis.port, "PING"), "+PONG\r\n");
      // Nothing is persisted: a restart starts from an empty database.
      assert.equal(await command(redis.port, "GET", "k"), "$-1\r\n");
    } finally {
      await redis.stop();
    }
    assert.equal(await ping(redis.port, 500), false);
  },
});

Deno.test({
  name: "startRedis: kill simulates a crash and restart recovers",
  ignore: external,
  async fn() {
    const redis = await startRedis();
    try {
      await redis.kill();
      assert.equal(await ping(redis.port, 500), false);
      await redis.restart();
      assert.equal(await ping(redis.port), true);
      // restart() on a running server stops it first instead of failing on
      // the taken port.
      await redis.restart();
      assert.equal(await ping(redis.port), true);
    } finally {
      await redis.stop();
    }
    // A second stop is harmless (tests stop in both body and finally).
    await redis.stop();
  },
});

Deno.test({
  name: "startRedis: two servers get distinct ports",
  ignore: external,
  async fn() {
    const a = await startRedis();
    const b = await startRedis();
    try {
      assert.notEqual(a.port, b.port);
      assert.equal(await ping(a.port), true);
      assert.equal(await ping(b.port), true);
    } finally {
      await a.stop();
      await b.stop();
    }
  },
});

Deno.test("startRedis with REDIS_URL: uses it and refuses to restart it", async () => {
  // Without an outside REDIS_URL, stand one up so this path always runs.
  const own = external ? null : await startRedis();
  const previous = Deno.env.get("REDIS_URL");
  if (own !== null) Deno.env.set("REDIS_URL", own.url);
  try {
    const redis = await startRedis();
    assert.equal(redis.url, Deno.env.get("REDIS_URL"));
    await assert.rejects(redis.restart(), /cannot restart external Redis/);
  } finally {
    if (own !== null) {
      if (previous === undefined) Deno.env.delete("REDIS_URL");
      else Deno.env.set("REDIS_URL", previous);
      await own.stop();
    }
  }
});

Deno.test({
  name:
    "startRedis: a port another Redis took before the bind is given up for another, and that Redis is not taken for ours",
  ignore: external,
  async fn() {
    // The taker answers PING too: only our redis-server's own words say
    // it bound the port.
    const taker = await startRedis();
    const picked: number[] = [];
    try {
      assert.equal(
        await command(taker.port, "SET", "owner", "taker"),
        "+OK\r\n",
      );
      const redis = await startRedis({
        pick: () => {
          const port = picked.length === 0 ? taker.port : freePort();
          picked.push(port);
          return port;
        },
      });
      try {
        assert.equal(picked.length, 2, "one retry");
        assert.equal(redis.port, picked[1]);
        assert.notEqual(redis.port, taker.port);
        assert.equal(await command(redis.port, "GET", "owner"), "$-1\r\n");
      } finally {
        await redis.stop();
      }
    } finally {
      await taker.stop();
    }
  },
});
