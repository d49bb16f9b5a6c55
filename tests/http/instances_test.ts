/**
 * The built app with a real Redis: two instances sharing the database and
 * Redis see a revocation at once, and an instance keeps serving sign-ins
 * while Redis is down, reporting "degraded" until it is back.
 */
import { ok, strictEqual } from "node:assert/strict";
import {
  assertJsonError,
  type AuthApp,
  Client,
  startServedApp,
  uniqueEmail,
} from "../helpers/auth.ts";
import { startRedis } from "../helpers/redis.ts";

async function health(
  app: AuthApp,
): Promise<{ status: number; cache: string }> {
  const a = await new Client(app).get("/api/health");
  return { status: a.status, cache: a.json?.checks?.cache };
}

/** Polls /api/health until its cache check says `want`; the time it took. */
async function waitForCache(
  app: AuthApp,
  want: string,
  timeoutMs = 8_000,
): Promise<number> {
  const started = Date.now();
  let last = "";
  while (Date.now() - started < timeoutMs) {
    const h = await health(app);
    strictEqual(h.status, 200, "a cache problem is never a 503");
    if (h.cache === want) return Date.now() - started;
    last = h.cache;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`cache stayed "${last}", not "${want}", for ${timeoutMs} ms`);
}

Deno.test("instances: a session ended on instance A is refused by instance B at once", async () => {
  const redis = await startRedis();
  const dir = await Deno.makeTempDir({ prefix: "islet-instances-" });
  const env = { REDIS_URL: redis.url };
  const dbPath = `${dir}/shared.db`;
  let a: AuthApp | undefined;
  let b: AuthApp | undefined;
  try {
    a = await startServedApp({ env, dbPath });
    b = await startServedApp({ env, dbPath });
    strictEqual((await health(a)).cache, "ok");
    strictEqual((await health(b)).cache, "ok");

    const email = uniqueEmail();
    const onA = new Client(a);
    await onA.register(email);
    const onB = new Client(b, { ip: onA.ip, userAgent: onA.userAgent });

    // Signed in via A; the cookie works on B, twice (the second from Redis).
    await onA.login(email);
    onB.cookie = onA.cookie;
    strictEqual(await onB.meStatus(), 200);
    strictEqual(await onB.meStatus(), 200);
    strictEqual(await onA.meStatus(), 200);

    // Signed out on A: B refuses the same cookie on its very next request.
    strictEqual((await onA.post("/api/auth/logout")).status, 200);
    assertJsonError(await onB.get("/api/auth/me"), 401);

    // Ending a session from the list on B is seen by A too.
    await onA.login(email);
    const other = new Client(a);
    await other.login(email);
    strictEqual(await other.meStatus(), 200);
    onB.cookie = onA.cookie;
    const ended = await onB.delete(`/api/auth/sessions/${other.sessionId}`);
    strictEqual(ended.status, 200, ended.text);
    assertJsonError(await other.get("/api/auth/me"), 401);

    // Rate limits are shared too: failures counted on A lock the account on B.
    for (let i = 0; i < 5; i++) {
      const target: AuthApp = i % 2 ? a : b;
      const r = await new Client(target).post("/api/auth/login", {
        json: { email, password: `wrong ${i} wrong` },
      });
      strictEqual(r.status, 401);
    }
    assertJsonError(
      await new Client(b).post("/api/auth/login", {
        json: { email, password: "wrong 6 wrong" },
      }),
      429,
    );
  } finally {
    await a?.stop();
    await b?.stop();
    await redis.stop();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("instances: with Redis stopped the app keeps signing people in, reports degraded, and recovers", async () => {
  const redis = await startRedis();
  let app: AuthApp | undefined;
  try {
    app = await startServedApp({ env: { REDIS_URL: redis.url } });
    strictEqual((await health(app)).cache, "ok");
    const email = uniqueEmail();
    const alice = new Client(app);
    await alice.register(email);
    strictEqual(await alice.meStatus(), 200); // now cached in Redis
    const before = alice.cookie;

    await redis.stop();
    await waitForCache(app, "degraded");
    const h = await new Client(app).get("/api/health");
    strictEqual(h.json.status, "degraded");
    strictEqual(h.json.checks.database, "ok");

    // Everything auth still works without Redis.
    strictEqual(await alice.meStatus(), 200);
    const bob = new Client(app);
    const t0 = Date.now();
    await bob.login(email);
    strictEqual(await bob.meStatus(), 200);
    strictEqual((await bob.get("/dashboard")).status, 200);
    ok(Date.now() - t0 < 3_000, "no waiting on a dead Redis");
    const carol = new Client(app);
    await carol.register(uniqueEmail("carol"));
    // Revocation during the outage holds, then and after Redis returns.
    strictEqual((await alice.post("/api/auth/logout")).status, 200);
    strictEqual(
      (await alice.get("/api/auth/me", { cookie: before })).status,
      401,
    );
    // Rate limits fall back to in-process counting rather than to nothing.
    const guesser = new Client(app);
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) {
      const r = await guesser.post("/api/auth/login", {
        json: { email: uniqueEmail(`g${i}`), password: "wrong wrong wrong" },
      });
      statuses.push(r.status);
    }
    strictEqual(statuses.at(-1), 429, statuses.join(","));
    ok(!/\b500\b|Uncaught/.test(app.logs()), app.logs());

    await redis.restart();
    const took = await waitForCache(app, "ok");
    ok(took < 8_000, `back to ok after ${took} ms`);
    strictEqual((await new Client(app).get("/api/health")).json.status, "ok");
    strictEqual(await bob.meStatus(), 200);
    strictEqual(await carol.meStatus(), 200);
    assertJsonError(await alice.get("/api/auth/me", { cookie: before }), 401);
    await new Client(app).login(email);
  } finally {
    await app?.stop();
    await redis.stop();
  }
});
