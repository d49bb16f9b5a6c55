/**
 * `/api/health` as monitoring reads it: 200 while the database answers,
 * 503 with `database: "error"` when it does not. The handler is run in an
 * app whose database is closed, which is what a lost database looks like
 * to it (every statement throws).
 *
 * @module
 */
import { deepStrictEqual, strictEqual } from "node:assert/strict";
import { App } from "fresh";
import { createMemoryCache } from "../../lib/cache/memory.ts";
import { openSqlite } from "../../lib/db/sqlite.ts";
import type { Services } from "../../lib/services.ts";
import { handler } from "../../routes/api/health.ts";
import type { State } from "../../utils.ts";

async function health(closeDb: boolean) {
  const db = openSqlite(":memory:");
  const cache = createMemoryCache();
  if (closeDb) await db.close();
  const app = new App<State>()
    .use((ctx) => {
      ctx.state.services = { db, cache } as unknown as Services;
      return ctx.next();
    })
    .get("/api/health", handler.GET!);
  try {
    const res = await app.handler()(
      new Request("http://localhost/api/health"),
    );
    return {
      status: res.status,
      cacheControl: res.headers.get("cache-control"),
      body: await res.json(),
    };
  } finally {
    if (!closeDb) await db.close();
    await cache.close();
  }
}

Deno.test("/api/health: 200 and ok while the database answers", async () => {
  const a = await health(false);
  strictEqual(a.status, 200);
  deepStrictEqual(a.body, {
    status: "ok",
    checks: { database: "ok", cache: "in-process" },
  });
});

Deno.test("/api/health: 503 and database error when the database is unavailable", async () => {
  const a = await health(true);
  strictEqual(a.status, 503);
  strictEqual(a.cacheControl, "no-store");
  deepStrictEqual(a.body, {
    status: "error",
    checks: { database: "error", cache: "in-process" },
  });
});
