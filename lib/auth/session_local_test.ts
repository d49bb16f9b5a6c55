import { equal, ok, strictEqual } from "node:assert/strict";
import fc from "fast-check";
import { createMemoryCache } from "../cache/memory.ts";
import type { Cache } from "../cache/cache.ts";
import { loadConfig } from "../config.ts";
import { createUser } from "../db/users.ts";
import { createServices, type Services } from "../services.ts";
import { startRedis } from "../../tests/helpers/redis.ts";
import {
  createSession,
  invalidateSession,
  validateSessionToken,
} from "./session.ts";
import type { CachedSessionRow } from "./session_cache.ts";
import { LocalSessions } from "./session_local.ts";

const NOW = Date.UTC(2030, 0, 1);

function row(id: string): CachedSessionRow {
  return {
    id,
    secretHashHex: "0".repeat(64),
    userId: "u",
    createdAt: NOW,
    lastVerifiedAt: NOW,
    expiresAt: NOW + 86_400_000,
    twoFactorVerified: false,
    secondFactorPending: false,
    authenticatedAt: NOW,
    ip: null,
    userAgent: null,
  };
}

/** A cache whose subscription epoch the test sets. */
function epochCache(): Cache & { epoch: number | null } {
  const inner = createMemoryCache();
  return Object.assign(Object.create(inner), {
    epoch: 0 as number | null,
    subscriptionEpoch(this: { epoch: number | null }) {
      return this.epoch;
    },
    subscribe: inner.subscribe.bind(inner),
    publish: inner.publish.bind(inner),
    status: () => "ok" as const,
    close: inner.close.bind(inner),
  });
}

const tick = () => new Promise((r) => setTimeout(r, 0));

Deno.test("local sessions: a revocation, a lost subscription or a new epoch empties it; a read from before a drop is not stored", async () => {
  const cache = epochCache();
  const local = await LocalSessions.start(cache, {
    workerChannel: null,
    now: () => NOW,
  });
  try {
    ok(local.store(local.begin(), row("a"), NOW + 1000));
    strictEqual(local.get("a")?.id, "a");

    // A validation that began before a revocation cannot store its read.
    const early = local.begin();
    await local.revoke(["a"]);
    strictEqual(local.get("a"), null);
    strictEqual(local.store(early, row("a"), NOW + 1000), false);
    strictEqual(local.get("a"), null);

    // Subscription not live: nothing served, nothing stored, emptied.
    ok(local.store(local.begin(), row("b"), NOW + 1000));
    cache.epoch = null;
    strictEqual(local.get("b"), null);
    strictEqual(local.begin(), null);
    strictEqual(local.store(null, row("b"), NOW + 1000), false);
    // Back with a new epoch: what was there before is gone.
    cache.epoch = 1;
    strictEqual(local.get("b"), null);
    ok(local.store(local.begin(), row("c"), NOW + 1000));
    cache.epoch = 2; // lost and back between two requests
    strictEqual(local.get("c"), null);
    strictEqual(local.size, 0);

    // Never past the deadline it was given.
    strictEqual(local.store(local.begin(), row("d"), NOW), false);
    strictEqual(local.get("d"), null);
  } finally {
    await local.close();
    await cache.close();
  }
});

Deno.test("local sessions: any interleaving of stores, revocations and epoch changes never serves a revoked id", () => {
  type Op =
    | { kind: "begin"; slot: number }
    | { kind: "store"; slot: number; id: number }
    | { kind: "revoke"; id: number }
    | { kind: "epoch"; value: number | null };
  const op: fc.Arbitrary<Op> = fc.oneof(
    fc.record({ kind: fc.constant("begin" as const), slot: fc.nat(2) }),
    fc.record({
      kind: fc.constant("store" as const),
      slot: fc.nat(2),
      id: fc.nat(3),
    }),
    fc.record({ kind: fc.constant("revoke" as const), id: fc.nat(3) }),
    fc.record({
      kind: fc.constant("epoch" as const),
      value: fc.option(fc.nat(3), { nil: null }),
    }),
  );
  return fc.assert(
    fc.asyncProperty(fc.array(op, { maxLength: 40 }), async (ops) => {
      const cache = epochCache();
      const local = await LocalSessions.start(cache, {
        workerChannel: null,
        now: () => NOW,
      });
      // Model: an id revoked after a ticket was taken must not be served
      // from a store made with that ticket, and a store's content must not
      // survive an epoch change or a revocation.
      const tickets: ({
        t: ReturnType<LocalSessions["begin"]>;
        epoch: number | null;
        revokedSince: Set<number>;
      } | undefined)[] = [];
      const revokedSinceStore = new Set<number>([0, 1, 2, 3]);
      try {
        for (const o of ops) {
          if (o.kind === "begin") {
            tickets[o.slot] = {
              t: local.begin(),
              epoch: cache.epoch,
              revokedSince: new Set(),
            };
          } else if (o.kind === "store") {
            const k = tickets[o.slot];
            if (!k) continue;
            const stored = local.store(k.t, row(`s${o.id}`), NOW + 1000);
            if (stored) {
              ok(
                !k.revokedSince.has(o.id),
                "stored a row read before its revocation",
              );
              ok(
                k.epoch === cache.epoch && k.epoch !== null,
                "stored across an epoch change",
              );
              revokedSinceStore.delete(o.id);
            }
          } else if (o.kind === "revoke") {
            await local.revoke([`s${o.id}`]);
            for (const k of tickets) k?.revokedSince.add(o.id);
            revokedSinceStore.add(o.id);
          } else {
            if (o.value !== cache.epoch) {
              for (const id of [0, 1, 2, 3]) revokedSinceStore.add(id);
            }
            cache.epoch = o.value;
          }
          for (const id of revokedSinceStore) {
            strictEqual(local.get(`s${id}`), null, `s${id} served`);
          }
        }
      } finally {
        await local.close();
        await cache.close();
      }
    }),
    { numRuns: 300 },
  );
});

Deno.test("local sessions: workers of one process hear each other's revocations over the worker channel", async () => {
  const channel = `islet-test-${crypto.randomUUID()}`;
  const [ca, cb] = [createMemoryCache(), createMemoryCache()];
  const a = await LocalSessions.start(ca, { workerChannel: channel });
  const b = await LocalSessions.start(cb, { workerChannel: channel });
  try {
    ok(b.store(b.begin(), row("x"), Date.now() + 60_000));
    await cb.set("session:x", "{}", 60);
    await a.revoke(["x"]);
    for (let i = 0; i < 100 && b.get("x") !== null; i++) await tick();
    strictEqual(b.get("x"), null);
    // Without Redis each worker's "shared" cache is its own: cleared too.
    for (let i = 0; i < 100 && (await cb.get("session:x")) !== null; i++) {
      await tick();
    }
    strictEqual(await cb.get("session:x"), null);
  } finally {
    await a.close();
    await b.close();
    await ca.close();
    await cb.close();
  }
});

async function twoInstances(redisUrl: string, dbPath: string) {
  const env = { DATABASE_PATH: dbPath, REDIS_URL: redisUrl };
  // null: in one test process, the worker channel would carry the
  // revocation without Redis; these stand for two machines.
  const a = await createServices(loadConfig(env), { workerChannel: null });
  const b = await createServices(loadConfig(env), { workerChannel: null });
  return [a, b] as const;
}

/**
 * Validates until the answer is `want`; how many 1 ms waits it took. The
 * message crosses a real socket to Redis and back, so on a loaded machine
 * it may take a few milliseconds to be read: the bound is 100 ms, far
 * below any cache lifetime (the failure this guards against is "until the
 * entry expires").
 */
async function validatesAs(
  s: Services,
  token: string,
  want: boolean,
): Promise<number> {
  for (let waits = 0; waits < 100; waits++) {
    const got = (await validateSessionToken(s.sessions, token)) !== null;
    if (got === want) return waits;
    await new Promise((r) => setTimeout(r, 1));
  }
  throw new Error(`session still ${want ? "refused" : "accepted"}`);
}

Deno.test("local sessions: a session ended on instance A is refused on B at once, before and after a Redis restart", async () => {
  const redis = await startRedis();
  const dir = await Deno.makeTempDir({ prefix: "islet-local-" });
  const [a, b] = await twoInstances(redis.url, `${dir}/shared.db`);
  try {
    const user = await createUser(a.db, {
      email: "local@example.com",
      username: "local",
    });
    const start = async () => (await createSession(a.sessions, user.id)).token;

    const t1 = await start();
    ok(await validateSessionToken(b.sessions, t1));
    ok(await validateSessionToken(b.sessions, t1)); // now from B's memory
    equal(b.sessions.local?.size, 1);
    await invalidateSession(a.sessions, t1.split(".")[0]);
    // The message was on its way before A's call returned.
    ok(await validatesAs(b, t1, false) < 100);

    // Redis restarts: B empties its memory and reads the database meanwhile.
    const t2 = await start();
    ok(await validateSessionToken(b.sessions, t2));
    ok(await validateSessionToken(b.sessions, t2));
    await redis.stop();
    for (let i = 0; i < 200 && b.cache.status() === "ok"; i++) {
      await new Promise((r) => setTimeout(r, 10));
    }
    await invalidateSession(a.sessions, t2.split(".")[0]); // publish lost
    strictEqual(await validateSessionToken(b.sessions, t2), null);
    const t3 = await start();
    ok(await validateSessionToken(b.sessions, t3)); // database answers
    equal(b.sessions.local?.size, 0, "nothing kept while Redis is away");

    await redis.restart();
    for (let i = 0; i < 500 && b.cache.status() !== "ok"; i++) {
      await new Promise((r) => setTimeout(r, 10));
    }
    strictEqual(b.cache.status(), "ok");
    ok(await validateSessionToken(b.sessions, t3));
    ok(await validateSessionToken(b.sessions, t3));
    equal(b.sessions.local?.size, 1, "kept again once Redis is back");
    await invalidateSession(a.sessions, t3.split(".")[0]);
    ok(await validatesAs(b, t3, false) < 100);
  } finally {
    await a.close();
    await b.close();
    await redis.stop();
    await Deno.remove(dir, { recursive: true });
  }
});
