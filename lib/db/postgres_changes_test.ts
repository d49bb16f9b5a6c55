/**
 * The change notices on a real PostgreSQL: what the triggers announce, that
 * an instance keeping users and session lists in memory sees changes made
 * elsewhere (raw SQL on another connection, another instance) and its own
 * writes at once, and that a lost listening connection serves nothing
 * stale and resumes keeping rows once it is back.
 *
 * @module
 */
import { deepEqual, ok, rejects, strictEqual } from "node:assert/strict";
import {
  createSession,
  listUserSessions,
  validateSessionToken,
} from "../auth/session.ts";
import { startTcpProxy } from "../cache/tcp_proxy.ts";
import { loadConfig } from "../config.ts";
import { createServices, type Services } from "../services.ts";
import { startRedis, type TestRedis } from "../../tests/helpers/redis.ts";
import { DatabaseUnavailableError } from "./db.ts";
import { openPostgres, type PostgresDb } from "./postgres.ts";
import { createPgDatabase, dropPgDatabase } from "./testing.ts";
import { readPreferences, setPreferences } from "./preferences.ts";
import { createUser } from "./users.ts";

/** Polls `cond` every 20 ms for at most `ms`; false if it never held. */
async function eventually(cond: () => boolean, ms = 5_000): Promise<boolean> {
  const until = performance.now() + ms;
  while (!cond()) {
    if (performance.now() > until) return false;
    await new Promise((r) => setTimeout(r, 20));
  }
  return true;
}

async function listening(db: PostgresDb | Services["db"]): Promise<void> {
  ok(
    await eventually(() => db.changes?.epoch() !== null),
    "the change feed never came up",
  );
}

Deno.test("change notices: the triggers announce users and sessions changed by any connection, on commit only", async () => {
  const url = await createPgDatabase(true);
  const db = await openPostgres(url, { poolSize: 2, changes: true });
  const other = await openPostgres(url, { poolSize: 1 });
  const heard: string[] = [];
  const stop = db.changes!.subscribe((key) => heard.push(key));
  try {
    await listening(db);
    const user = await createUser(other, {
      email: "n@example.com",
      username: "n",
    });
    const now = Date.now();
    const session = (values: string) =>
      other.run(
        `INSERT INTO sessions (id, secret_hash, user_id, created_at,
           last_verified_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)`,
        [values, new Uint8Array(32), user.id, now, now, now + 60_000],
      );
    await session("s1");
    await other.run("UPDATE users SET subscription_tier = 'pro' WHERE id = ?", [
      user.id,
    ]);
    // Rolled back: never announced.
    await rejects(other.transaction(async (tx) => {
      await tx.run("UPDATE users SET email = 'x@example.com' WHERE id = ?", [
        user.id,
      ]);
      throw new Error("roll back");
    }));
    await other.run("DELETE FROM sessions WHERE id = 's1'");
    await db.changes!.sync();
    deepEqual(heard, [
      // Creating the user creates its preferences row.
      `preferences:${user.id}`,
      `sessions:${user.id}`,
      `user:${user.id}`,
      `sessions:${user.id}`,
      "session:s1",
    ]);

    heard.length = 0;
    await session("s2");
    // Deleting the user: its row, and its sessions by the cascade.
    await other.run("DELETE FROM users WHERE id = ?", [user.id]);
    await other.exec("TRUNCATE sessions");
    await db.changes!.sync();
    // The order inside one transaction is the triggers' (the cascade's
    // first): only what is announced matters.
    deepEqual(heard.slice(0, 1), [`sessions:${user.id}`]);
    deepEqual(heard.slice(1, 5).sort(), [
      `preferences:${user.id}`,
      "session:s2",
      `sessions:${user.id}`,
      `user:${user.id}`,
    ]);
    deepEqual(heard.slice(5), ["all"]);
  } finally {
    stop();
    await other.close();
    await db.close();
    await dropPgDatabase(url);
  }
});

/** Two instances (services) on one fresh database, with or without Redis. */
async function withInstances(
  redis: boolean,
  fn: (a: Services, b: Services, direct: PostgresDb) => Promise<void>,
): Promise<void> {
  const url = await createPgDatabase(true);
  let server: TestRedis | undefined;
  let a: Services | undefined;
  let b: Services | undefined;
  const direct = await openPostgres(url, { poolSize: 1 });
  try {
    if (redis) server = await startRedis();
    const env = {
      DATABASE_URL: url,
      ...(server ? { REDIS_URL: server.url } : {}),
    };
    // null: in one test process the worker channel would join them; these
    // stand for two machines.
    a = await createServices(loadConfig(env), { workerChannel: null });
    b = await createServices(loadConfig(env), { workerChannel: null });
    await listening(a.db);
    await listening(b.db);
    await fn(a, b, direct);
  } finally {
    await a?.close();
    await b?.close();
    await direct.close();
    await server?.stop();
    await dropPgDatabase(url);
  }
}

for (const redis of [false, true]) {
  Deno.test(
    `change notices: an instance keeping the user and session list sees changes made elsewhere and its own at once [${
      redis ? "redis" : "no redis"
    }]`,
    async () => {
      await withInstances(redis, async (a, b, direct) => {
        const user = await createUser(a.db, {
          email: "kept@example.com",
          username: "kept",
        });
        const { token } = await createSession(a.sessions, user.id);
        // Its own writes are not announced back yet: nothing would be kept.
        await a.db.changes!.sync();
        const me = async () =>
          (await validateSessionToken(a.sessions, token))?.user ?? null;
        strictEqual((await me())?.subscriptionTier, "free");
        // The first reads the session with its user; the second keeps the user.
        strictEqual((await me())?.subscriptionTier, "free");
        strictEqual((await listUserSessions(a.sessions, user.id)).length, 1);
        strictEqual(a.sessions.rows?.size, 2, "user and list kept");

        // Raw SQL on another connection, as a script or psql would.
        await direct.run(
          "UPDATE users SET subscription_tier = 'team', email = 'new@example.com' WHERE id = ?",
          [user.id],
        );
        await a.db.changes!.sync();
        const changed = await me();
        strictEqual(changed?.subscriptionTier, "team");
        strictEqual(changed?.email, "new@example.com");

        // Another instance signs in and out: the count follows.
        const second = await createSession(b.sessions, user.id);
        await a.db.changes!.sync();
        strictEqual((await listUserSessions(a.sessions, user.id)).length, 2);
        await b.db.run("DELETE FROM sessions WHERE id = ?", [
          second.session.id,
        ]);
        await a.db.changes!.sync();
        strictEqual((await listUserSessions(a.sessions, user.id)).length, 1);

        // Its own write is seen by its next read, without waiting for
        // anything (several times: its notice could win the race alone).
        for (const on of [1, 0, 1, 0, 1]) {
          await a.db.run(
            "UPDATE users SET two_factor_enabled = ? WHERE id = ?",
            [on, user.id],
          );
          strictEqual((await me())?.twoFactorEnabled, on === 1);
        }

        // Deleted elsewhere: the session is refused.
        await direct.run("DELETE FROM users WHERE id = ?", [user.id]);
        await a.db.changes!.sync();
        strictEqual(await me(), null);
      });
    },
  );
}

Deno.test("change notices: an instance keeps a user's preferences and sees them changed elsewhere, by any connection", async () => {
  await withInstances(false, async (a, b, direct) => {
    const user = await createUser(a.db, {
      email: "prefs@example.com",
      username: "prefs",
    });
    const rows = a.sessions.rows;
    ok(rows, "PostgreSQL instances keep rows");
    await a.db.changes!.sync();
    const theme = async () =>
      (await readPreferences(a.db, rows, user.id)).theme;
    strictEqual(await theme(), "system");
    strictEqual(await theme(), "system");
    ok(rows.size >= 1, "the preferences are kept");

    // Another instance stores a choice (the row is created): seen.
    await setPreferences(b.db, user.id, { theme: "dark", language: "en" });
    await a.db.changes!.sync();
    strictEqual(await theme(), "dark");
    // Raw SQL, as a script would: seen.
    await direct.run(
      "UPDATE preferences SET theme = 'light' WHERE user_id = ?",
      [
        user.id,
      ],
    );
    await a.db.changes!.sync();
    strictEqual(await theme(), "light");
    // Its own write, at once.
    await setPreferences(a.db, user.id, { theme: "dark", language: "en" });
    strictEqual(await theme(), "dark");
    await direct.exec("TRUNCATE preferences");
    await a.db.changes!.sync();
    strictEqual(await theme(), "system");
  });
});

Deno.test("change notices: while the listening connection is cut or stalled nothing kept is served, and keeping resumes when it is back", async () => {
  const url = await createPgDatabase(true);
  const target = new URL(url);
  const proxy = startTcpProxy(Number(target.port || 5432));
  const proxied = new URL(url);
  proxied.host = new URL(proxy.url).host;
  const direct = await openPostgres(url, { poolSize: 1 });
  let a: Services | undefined;
  try {
    a = await createServices(
      loadConfig({
        DATABASE_URL: proxied.href,
        DATABASE_STATEMENT_TIMEOUT_MS: "300",
      }),
      { workerChannel: null },
    );
    const feed = a.db.changes!;
    await listening(a.db);
    const user = await createUser(a.db, {
      email: "cut@example.com",
      username: "cut",
    });
    const { token } = await createSession(a.sessions, user.id);
    await feed.sync();
    const tier = async () =>
      (await validateSessionToken(a!.sessions, token))?.user.subscriptionTier;
    const tiers = ["pro", "team"];

    for (const fault of ["cut", "stall"] as const) {
      strictEqual(await tier(), fault === "cut" ? "free" : "pro");
      strictEqual(await tier(), fault === "cut" ? "free" : "pro");
      ok((a.sessions.rows?.size ?? 0) > 0, "kept before the fault");
      const before = feed.epoch();
      ok(before !== null);

      proxy[fault]();
      // cut: the connection closes at once; stall: the heartbeat finds it.
      ok(await eventually(() => feed.epoch() === null), `${fault}: epoch`);
      const next = tiers.shift()!;
      await direct.run("UPDATE users SET subscription_tier = ? WHERE id = ?", [
        next,
        user.id,
      ]);
      // The notice is lost, and nothing kept is served: the database is
      // asked, and it cannot answer.
      await rejects(tier(), DatabaseUnavailableError);
      strictEqual(a.sessions.rows?.size, 0, `${fault}: emptied`);

      proxy.resume();
      ok(
        await eventually(() => feed.epoch() !== null),
        `${fault}: listening again`,
      );
      ok(feed.epoch() !== before, `${fault}: a new epoch`);
      strictEqual(await tier(), next);
      strictEqual(await tier(), next);
      ok((a.sessions.rows?.size ?? 0) > 0, `${fault}: keeping again`);
    }
  } finally {
    await a?.close();
    await direct.close();
    await proxy.close();
    await dropPgDatabase(url);
  }
});
