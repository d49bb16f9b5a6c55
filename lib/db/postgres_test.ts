import assert from "node:assert/strict";
import { freePort } from "../../tests/helpers/redis.ts";
import { startTcpProxy, type TcpProxy } from "../cache/tcp_proxy.ts";
import { DatabaseUnavailableError } from "./db.ts";
import {
  pgAdminUrl,
  withTestPgDatabase,
} from "../../tests/helpers/postgres.ts";
import { openPostgres, type PostgresDb, redactUrl } from "./postgres.ts";

const PASSWORD = "s3cret-pw";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Everything an error would show in a log: message, stack, causes. */
function printed(error: unknown): string {
  return Deno.inspect(error, { depth: 10 });
}

/**
 * The error `promise` rejects with; fails if it resolves, or if it has not
 * settled within `ms` (a statement left hanging is the bug to catch).
 */
async function failure(
  promise: Promise<unknown>,
  ms = 5_000,
): Promise<unknown> {
  try {
    await settles(promise, ms);
  } catch (error) {
    if (error instanceof Hung) throw error;
    return error;
  }
  assert.fail("expected a rejection");
}

class Hung extends Error {}

/** `promise`, or a rejection with {@linkcode Hung} after `ms`. */
async function settles<T>(promise: Promise<T>, ms = 5_000): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Hung(`not settled after ${ms} ms`)),
      ms,
    );
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

async function until(
  what: string,
  cond: () => Promise<boolean>,
  ms = 10_000,
): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for: ${what}`);
    await sleep(50);
  }
}

/** `url` with a password put in, and its host and port replaced by the proxy's. */
function throughProxy(url: string, proxy: TcpProxy): string {
  const u = new URL(url);
  u.password = PASSWORD; // the test server trusts local connections
  u.hostname = "127.0.0.1";
  u.port = new URL(proxy.url).port;
  return u.href;
}

// The proxy reaches the server on this machine only.
const remote = !["127.0.0.1", "localhost", "[::1]"].includes(
  new URL(pgAdminUrl()).hostname,
);
const serverPort = Number(new URL(pgAdminUrl()).port || 5432);

/** A database on a fresh test database, reached through a TCP proxy. */
async function withProxiedDb(
  options: Parameters<typeof openPostgres>[1],
  fn: (db: PostgresDb, proxy: TcpProxy) => Promise<void>,
): Promise<void> {
  await withTestPgDatabase(async (url) => {
    const proxy = startTcpProxy(serverPort);
    try {
      const db = await openPostgres(throughProxy(url, proxy), options);
      try {
        await fn(db, proxy);
      } finally {
        proxy.resume();
        await db.close();
      }
    } finally {
      await proxy.close();
    }
  });
}

Deno.test("redactUrl replaces the password, and only it", () => {
  assert.equal(
    redactUrl("postgres://islet:s3cret@db:5432/islet"),
    "postgres://islet:***@db:5432/islet",
  );
  assert.equal(
    redactUrl("postgresql://u:p%40ss:w@rd@db/x?sslmode=require"),
    "postgresql://u:***@db/x?sslmode=require",
  );
  assert.equal(
    redactUrl("postgres://u:pw@h1:5432,h2:5433/x"),
    "postgres://u:***@h1:5432,h2:5433/x",
  );
  assert.equal(
    redactUrl("postgres://db/x?user=u&password=pw&sslmode=require"),
    "postgres://db/x?user=u&password=***&sslmode=require",
  );
  // Nothing to hide: unchanged, including an @ in the path.
  for (
    const url of [
      "postgres://postgres@127.0.0.1:5432/postgres",
      "postgres://127.0.0.1/db",
      "postgres://h/db@x",
      "postgres://h:5432/a:b@c",
    ]
  ) {
    assert.equal(redactUrl(url), url);
  }
});

Deno.test("openPostgres: an unreachable server fails at once, clearly, password hidden", async () => {
  const url = `postgres://islet:${PASSWORD}@127.0.0.1:${freePort()}/islet`;
  const error = await failure(openPostgres(url, { connectTimeoutMs: 2_000 }));
  assert.ok(error instanceof DatabaseUnavailableError, printed(error));
  assert.match(
    error.message,
    /postgres:\/\/islet:\*\*\*@127\.0\.0\.1:\d+\/islet/,
  );
  assert.match(error.message, /connection refused/);
  assert.ok(!printed(error).includes(PASSWORD), printed(error));
});

Deno.test("openPostgres: a missing database names it, password hidden", async () => {
  const u = new URL(pgAdminUrl());
  u.password = PASSWORD;
  u.pathname = "/islet_test_does_not_exist";
  const error = await failure(openPostgres(u.href));
  assert.ok(error instanceof Error);
  assert.ok(!(error instanceof DatabaseUnavailableError));
  assert.match(error.message, /\*\*\*@/);
  assert.match(error.message, /islet_test_does_not_exist" does not exist/);
  assert.ok(!printed(error).includes(PASSWORD), printed(error));
});

Deno.test(
  "openPostgres: a server that accepts but never answers hits the connect timeout",
  {
    ignore: remote,
  },
  async () => {
    const proxy = startTcpProxy(serverPort);
    try {
      proxy.stall();
      const url = throughProxy(pgAdminUrl(), proxy);
      const error = await failure(openPostgres(url, { connectTimeoutMs: 300 }));
      assert.ok(error instanceof DatabaseUnavailableError, printed(error));
      assert.match(error.message, /connect timeout/);
      assert.ok(!printed(error).includes(PASSWORD), printed(error));
    } finally {
      await proxy.close();
    }
  },
);

Deno.test("postgres: past the statement timeout is DatabaseUnavailableError; the pool carries on", () =>
  withTestPgDatabase(async (url) => {
    const db = await openPostgres(url, { statementTimeoutMs: 200 });
    try {
      const error = await failure(db.get("SELECT pg_sleep(2)"));
      assert.ok(error instanceof DatabaseUnavailableError, printed(error));
      assert.match(error.message, /statement timeout/);
      // Inside a transaction too, which then rolls back.
      await db.exec("CREATE TABLE t (x INTEGER)");
      const inTx = await failure(db.transaction(async (tx) => {
        await tx.run("INSERT INTO t VALUES (1)");
        await tx.get("SELECT pg_sleep(2)");
      }));
      assert.ok(inTx instanceof DatabaseUnavailableError, printed(inTx));
      assert.deepEqual(await db.values("SELECT count(*) FROM t"), [[0]]);
      assert.deepEqual(await db.values("SELECT 1"), [[1]]);
    } finally {
      await db.close();
    }
  }));

Deno.test("postgres: other errors pass through unchanged", () =>
  withTestPgDatabase(async (url) => {
    const db = await openPostgres(url);
    try {
      const error = await failure(db.get("SELECT * FROM no_such_table"));
      assert.ok(!(error instanceof DatabaseUnavailableError));
      assert.match(String(error), /relation "no_such_table" does not exist/);
      assert.equal((error as { code?: string }).code, "42P01");
    } finally {
      await db.close();
    }
  }));

Deno.test(
  "postgres: lost connection is DatabaseUnavailableError, and the pool recovers by itself",
  {
    ignore: remote,
  },
  () =>
    withProxiedDb(
      { poolSize: 3, connectTimeoutMs: 1_000 },
      async (db, proxy) => {
        await db.exec("CREATE TABLE t (x INTEGER NOT NULL)");
        // Every connection of the pool open and in use.
        await Promise.all(
          Array.from({ length: 6 }, (_, i) =>
            db.run("INSERT INTO t VALUES (?)", [i])),
        );

        proxy.cut();
        // Several rounds while it is down: connections that fail again and
        // again, and a back-off that grows, must not outlast the outage.
        for (let round = 0; round < 5; round++) {
          const errors = await Promise.all([
            failure(db.get("SELECT count(*) AS n FROM t")),
            failure(db.run("INSERT INTO t VALUES (?)", [99])),
            failure(db.transaction((tx) =>
              tx.run("INSERT INTO t VALUES (98)")
            )),
            failure(db.ping()),
          ]);
          for (const error of errors) {
            assert.ok(
              error instanceof DatabaseUnavailableError,
              printed(error),
            );
            assert.match(
              error.message,
              /postgres:\/\/postgres:\*\*\*@127\.0\.0\.1/,
            );
            assert.ok(!printed(error).includes(PASSWORD), printed(error));
          }
        }

        proxy.resume();
        await until("a statement succeeds again", async () => {
          try {
            await settles(db.get("SELECT 1"));
            return true;
          } catch (error) {
            assert.ok(
              error instanceof DatabaseUnavailableError,
              printed(error),
            );
            return false;
          }
        });
        // Not just one connection: more statements than the pool has
        // connections, all at once, and transactions, all succeed.
        const counts = await Promise.all(
          Array.from({ length: 9 }, () => db.values("SELECT count(*) FROM t")),
        );
        assert.deepEqual(counts, Array(9).fill([[6]]));
        await Promise.all(
          [1, 2, 3].map((i) =>
            db.transaction((tx) =>
              tx.run("INSERT INTO t VALUES (?)", [100 + i])
            )
          ),
        );
        assert.deepEqual(await db.values("SELECT count(*) FROM t"), [[9]]);
        await db.ping();
      },
    ),
);

Deno.test(
  "postgres: ping is bounded by the statement timeout even when the network hangs",
  {
    ignore: remote,
  },
  () =>
    withProxiedDb({ statementTimeoutMs: 300 }, async (db, proxy) => {
      await db.ping();
      proxy.stall();
      const error = await failure(db.ping());
      assert.ok(error instanceof DatabaseUnavailableError, printed(error));
      assert.match(error.message, /did not answer within 300 ms/);
      assert.ok(!printed(error).includes(PASSWORD));
      proxy.resume();
      await db.ping();
    }),
);
