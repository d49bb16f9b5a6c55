import { match, ok, strictEqual } from "node:assert/strict";
import { App } from "fresh";
import type { CacheStatus } from "../lib/cache/cache.ts";
import { openSqlite } from "../lib/db/sqlite.ts";
import type { Services } from "../lib/services.ts";
import type { State } from "../utils.ts";
import * as health from "./api/health.ts";
import * as status from "./status.tsx";

/**
 * Both routes on an in-process app whose services are a real database
 * (open, or closed to stand for one that does not answer) and a cache
 * reporting the given status.
 */
async function appWith(cache: CacheStatus, database: "ok" | "closed") {
  const db = openSqlite(":memory:");
  if (database === "closed") await db.close();
  const services = {
    db,
    cache: { status: () => cache },
  } as unknown as Services;
  const handler = new App<State>()
    .use((ctx) => {
      ctx.state.services = services;
      return ctx.next();
    })
    .route("/status", { handler: status.handler, component: status.default })
    .route("/api/health", health)
    .handler();
  return {
    get: (path: string) => handler(new Request(`http://localhost${path}`)),
    close: () => database === "ok" ? db.close() : Promise.resolve(),
  };
}

const CASES = [
  {
    cache: "in-process",
    database: "ok",
    code: 200,
    json: "ok",
    words: [/Everything is working\./, /Database[\s\S]*Working/],
  },
  {
    cache: "ok",
    database: "ok",
    code: 200,
    json: "ok",
    words: [/Everything is working\./, /Redis is connected/],
  },
  {
    cache: "degraded",
    database: "ok",
    code: 200,
    json: "degraded",
    words: [/working, more slowly/, /Degraded/, /Redis cannot be reached/],
  },
  {
    cache: "ok",
    database: "closed",
    code: 503,
    json: "error",
    words: [/The service is down/, /Down/, /Does not answer queries/],
  },
] as const;

for (const c of CASES) {
  Deno.test(`/status says in words what /api/health says (database ${c.database}, cache ${c.cache}), same HTTP status`, async () => {
    const app = await appWith(c.cache, c.database);
    try {
      const page = await app.get("/status");
      strictEqual(page.status, c.code);
      match(page.headers.get("content-type") ?? "", /text\/html/);
      strictEqual(page.headers.get("cache-control"), "no-store");
      const html = await page.text();
      for (const words of c.words) match(html, words);
      ok(html.includes(`href="/api/health"`), "links the JSON check");

      const api = await app.get("/api/health");
      strictEqual(api.status, c.code);
      match(api.headers.get("content-type") ?? "", /application\/json/);
      strictEqual(api.headers.get("cache-control"), "no-store");
      const body = await api.json();
      strictEqual(
        JSON.stringify(body),
        JSON.stringify({
          status: c.json,
          checks: {
            database: c.database === "ok" ? "ok" : "error",
            cache: c.cache,
          },
        }),
      );
    } finally {
      await app.close();
    }
  });
}
