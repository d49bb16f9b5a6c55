import { deepStrictEqual } from "node:assert/strict";
import type { CacheStatus } from "./cache/cache.ts";
import { startTcpProxy } from "./cache/tcp_proxy.ts";
import { openPostgres } from "./db/postgres.ts";
import { openSqlite } from "./db/sqlite.ts";
import {
  createPgDatabase,
  dropPgDatabase,
  ENGINES,
  withEngineDb,
} from "./db/testing.ts";
import { checkHealth, type Health } from "./health.ts";

const cache = (status: CacheStatus) => ({ status: () => status });

const UP: Health = {
  status: "ok",
  checks: { database: "ok", cache: "ok" },
  httpStatus: 200,
};
const DOWN: Health = {
  status: "error",
  checks: { database: "error", cache: "ok" },
  httpStatus: 503,
};

for (const engine of ENGINES) {
  Deno.test(`checkHealth: a working database is 200, whatever the cache says [${engine}]`, async () => {
    await withEngineDb(engine, async (db) => {
      deepStrictEqual(await checkHealth({ db, cache: cache("ok") }), UP);
      deepStrictEqual(await checkHealth({ db, cache: cache("in-process") }), {
        status: "ok",
        checks: { database: "ok", cache: "in-process" },
        httpStatus: 200,
      });
      // Requests are still served without the cache: reported, not fatal.
      deepStrictEqual(await checkHealth({ db, cache: cache("degraded") }), {
        status: "degraded",
        checks: { database: "ok", cache: "degraded" },
        httpStatus: 200,
      });
    }, { migrate: false });
  });
}

Deno.test("checkHealth: a database that does not answer is an error and 503 [sqlite]", async () => {
  const db = openSqlite(":memory:");
  deepStrictEqual(await checkHealth({ db, cache: cache("ok") }), UP);
  await db.close();
  deepStrictEqual(await checkHealth({ db, cache: cache("ok") }), DOWN);
});

/**
 * A PostgreSQL database reached through a proxy the test can cut or
 * stall, as a lost network or a hung server looks to the app.
 */
async function withProxiedPg(
  fn: (
    db: Awaited<ReturnType<typeof openPostgres>>,
    proxy: ReturnType<typeof startTcpProxy>,
  ) => Promise<void>,
): Promise<void> {
  const url = await createPgDatabase(false);
  const target = new URL(url);
  const proxy = startTcpProxy(Number(target.port || 5432));
  const proxied = new URL(url);
  proxied.hostname = "127.0.0.1";
  proxied.port = new URL(proxy.url).port;
  try {
    const db = await openPostgres(proxied.href, {
      poolSize: 2,
      statementTimeoutMs: 500,
    });
    try {
      await fn(db, proxy);
    } finally {
      proxy.resume();
      await db.close().catch(() => {});
    }
  } finally {
    await proxy.close();
    await dropPgDatabase(url);
  }
}

Deno.test("checkHealth: a database that does not answer is an error and 503, and ok again once it is back [postgres]", async () => {
  await withProxiedPg(async (db, proxy) => {
    deepStrictEqual(await checkHealth({ db, cache: cache("ok") }), UP);
    proxy.cut();
    deepStrictEqual(await checkHealth({ db, cache: cache("ok") }), DOWN);
    proxy.resume();
    deepStrictEqual(await checkHealth({ db, cache: cache("ok") }), UP);
  });
});

Deno.test("checkHealth: a database that hangs is an error and 503, not a hung check [postgres]", async () => {
  await withProxiedPg(async (db, proxy) => {
    deepStrictEqual(await checkHealth({ db, cache: cache("ok") }), UP);
    proxy.stall();
    // No timing asserted (noisy machines): only that the check settles, by
    // itself, on the statement timeout, well before the guard gives up.
    let guard: ReturnType<typeof setTimeout> | undefined;
    const hung = new Promise<"hung">((resolve) => {
      guard = setTimeout(() => resolve("hung"), 30_000);
    });
    try {
      deepStrictEqual(
        await Promise.race([checkHealth({ db, cache: cache("ok") }), hung]),
        DOWN,
      );
    } finally {
      clearTimeout(guard);
    }
  });
});
