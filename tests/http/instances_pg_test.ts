/**
 * Several instances for real: two built servers sharing one PostgreSQL
 * database and one Redis, as behind a load balancer. A session works on
 * both, ending it on one is refused by the other at once, rate limits are
 * counted once, two sign-ups racing for one address from both instances
 * give exactly one account, nothing written concurrently is lost, a
 * sign-in waiting for its code on one completes on the other, and a
 * two-factor code accepted on one is refused on the other.
 */
import { deepStrictEqual, ok, strictEqual } from "node:assert/strict";
import type { Db } from "../../lib/db/db.ts";
import { loadMigrations, migrationsDir } from "../../lib/db/migrate.ts";
import { openPostgres } from "../../lib/db/postgres.ts";
import { createPgDatabase, dropPgDatabase } from "../../lib/db/testing.ts";
import {
  assertJsonError,
  type AuthApp,
  Client,
  PASSWORD,
  startServedApp,
  uniqueEmail,
} from "../helpers/auth.ts";
import { startRedis } from "../helpers/redis.ts";
import { pendingClient, twoFactorAccount } from "../helpers/two_factor.ts";

/** Two served instances on one fresh PostgreSQL database and one Redis. */
async function withTwoInstances(
  fn: (
    a: AuthApp,
    b: AuthApp,
    count: (sql: string) => Promise<number>,
    openDb: () => Promise<Db>,
  ) => Promise<void>,
): Promise<void> {
  const redis = await startRedis();
  const url = await createPgDatabase(true);
  const db = await openPostgres(url, { poolSize: 1 });
  // No DATABASE_PATH is read when DATABASE_URL is set; the served helper
  // passes one anyway, which must not matter.
  const env = { REDIS_URL: redis.url, DATABASE_URL: url };
  let a: AuthApp | undefined;
  let b: AuthApp | undefined;
  try {
    [a, b] = await Promise.all([
      startServedApp({ env }),
      startServedApp({ env }),
    ]);
    await fn(
      a,
      b,
      async (sql) => Number((await db.get(sql))?.n),
      () => openPostgres(url, { poolSize: 1 }),
    );
    const logs = a.logs() + b.logs();
    ok(!/\b500\b|Uncaught|Error handling/.test(logs), logs);
  } finally {
    await a?.stop();
    await b?.stop();
    await db.close();
    await dropPgDatabase(url);
    await redis.stop();
  }
}

Deno.test("instances on PostgreSQL: both migrate at once; a session from A works on B; ending it on either is refused on the other at once", async () => {
  await withTwoInstances(async (a, b, count) => {
    // Both started at once against an empty schema record: each migration
    // recorded once, however many the folder holds.
    const folder = await loadMigrations(migrationsDir("postgres"));
    strictEqual(
      await count("SELECT count(*) AS n FROM schema_migrations"),
      folder.length,
    );

    const email = uniqueEmail();
    const onA = new Client(a);
    await onA.register(email);
    const onB = new Client(b, { ip: onA.ip, userAgent: onA.userAgent });
    onB.cookie = onA.cookie;
    strictEqual(await onB.meStatus(), 200);
    strictEqual(await onB.meStatus(), 200); // again, now from the caches
    strictEqual(await onA.meStatus(), 200);

    strictEqual((await onA.post("/api/auth/logout")).status, 200);
    assertJsonError(await onB.get("/api/auth/me"), 401);

    // Ending a session from the list on B is seen by A.
    await onA.login(email);
    const other = new Client(a);
    await other.login(email);
    strictEqual(await other.meStatus(), 200);
    onB.cookie = onA.cookie;
    const ended = await onB.delete(`/api/auth/sessions/${other.sessionId}`);
    strictEqual(ended.status, 200, ended.text);
    assertJsonError(await other.get("/api/auth/me"), 401);

    // "End all other sessions" on A ends B's copy of a session at once.
    const third = new Client(b);
    await third.login(email);
    strictEqual(await third.meStatus(), 200);
    onA.cookie = onB.cookie;
    strictEqual((await onA.delete("/api/auth/sessions")).status, 200);
    assertJsonError(await third.get("/api/auth/me"), 401);
    strictEqual(await onA.meStatus(), 200);
  });
});

Deno.test("instances on PostgreSQL: failed sign-ins counted on both instances lock the account on either", async () => {
  await withTwoInstances(async (a, b) => {
    const email = uniqueEmail();
    await new Client(a).register(email);
    for (let i = 0; i < 5; i++) {
      const r = await new Client(i % 2 ? a : b).post("/api/auth/login", {
        json: { email, password: `wrong ${i} wrong` },
      });
      strictEqual(r.status, 401);
    }
    assertJsonError(
      await new Client(a).post("/api/auth/login", {
        json: { email, password: PASSWORD },
      }),
      429,
    );
  });
});

Deno.test("instances on PostgreSQL: sign-ups racing for one address on both give one account; concurrent writes are all kept", async () => {
  await withTwoInstances(async (a, b, count) => {
    // Ten addresses, each registered on A and on B at the same moment.
    const emails = Array.from(
      { length: 10 },
      (_, i) => uniqueEmail(`race${i}`),
    );
    const answers = await Promise.all(
      emails.flatMap((email) =>
        [a, b].map((app) =>
          new Client(app).post("/api/auth/register", {
            json: { email, password: PASSWORD },
          })
        )
      ),
    );
    for (let i = 0; i < emails.length; i++) {
      const pair = [answers[2 * i].status, answers[2 * i + 1].status].sort();
      // 503 would mean the hashing queue was full: not what this tests.
      // Both are told the same (sign-up reveals nothing); one made the account.
      strictEqual(pair.join(","), "202,202", `${emails[i]}: ${pair}`);
    }
    strictEqual(await count("SELECT count(*) AS n FROM users"), 10);
    strictEqual(await count("SELECT count(*) AS n FROM preferences"), 10);
    strictEqual(
      await count(
        "SELECT count(*) AS n FROM audit_log WHERE event = 'auth.sign_up'",
      ),
      10,
    );
    strictEqual(
      await count(
        "SELECT count(*) AS n FROM audit_log WHERE event = 'auth.sign_up_existing'",
      ),
      10,
    );
    strictEqual(
      await count(
        "SELECT count(*) AS n FROM audit_log WHERE event = 'auth.verification_sent'",
      ),
      10,
      "one verification mail per account",
    );

    // The same name part from both instances at once: the usernames differ
    // (a clash is picked again), and no sign-up fails for it.
    const domains = ["a.example", "b.example", "c.example", "d.example"];
    const same = await Promise.all(
      domains.map((domain, i) =>
        new Client(i % 2 ? a : b).post("/api/auth/register", {
          json: { email: `samename@${domain}`, password: PASSWORD },
        })
      ),
    );
    strictEqual(same.map((r) => r.status).join(), "202,202,202,202");
    strictEqual(
      await count(
        "SELECT count(DISTINCT username) AS n FROM users WHERE email LIKE 'samename@%'",
      ),
      4,
    );
    strictEqual(await count("SELECT count(*) AS n FROM users"), 14);
  });
});

Deno.test("instances on PostgreSQL: a sign-in waiting for its code on A completes on B; a code used on one is refused on the other, also at the same moment", async () => {
  await withTwoInstances(async (a, b, count, openDb) => {
    const account = await twoFactorAccount(a, { openDb });
    const onA = await pendingClient(a, account);
    const pendingCookie = onA.cookie;
    // A has read the pending session (and keeps it in its caches).
    strictEqual((await onA.get("/login/two-factor")).status, 200);
    const onB = new Client(b, { ip: onA.ip, userAgent: onA.userAgent });
    onB.cookie = onA.cookie;
    const code = await account.code();
    const done = await onB.post("/api/auth/two-factor", { json: { code } });
    strictEqual(done.status, 200, done.text);
    onA.cookie = onB.cookie;
    strictEqual(await onA.meStatus(), 200, "the new session works on A");
    // The pending token is refused on A at once, cached or not.
    assertJsonError(
      await onA.get("/api/auth/me", { cookie: pendingCookie }),
      401,
    );
    const late = await onA.get("/login/two-factor", { cookie: pendingCookie });
    strictEqual(late.status, 303);
    strictEqual(late.headers.get("location"), "/login?next=%2Fdashboard");

    // The code B accepted, tried on A: refused.
    const thief = await pendingClient(a, account);
    const replay = await thief.post("/api/auth/two-factor", { json: { code } });
    assertJsonError(replay, 400);

    // One new code sent to both at the same moment: exactly one accepts.
    const [x, y] = [
      await pendingClient(a, account),
      await pendingClient(b, account),
    ];
    const next = await account.code();
    const both = await Promise.all(
      [x, y].map((c) =>
        c.post("/api/auth/two-factor", { json: { code: next } })
      ),
    );
    deepStrictEqual(both.map((r) => r.status).sort(), [200, 400]);
    strictEqual(
      await count(
        "SELECT count(*) AS n FROM sessions WHERE second_factor_pending = 0 AND two_factor_verified = 1",
      ),
      2,
      "the first sign-in's and the race winner's",
    );
  });
});
