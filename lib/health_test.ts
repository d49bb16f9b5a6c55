import { deepStrictEqual } from "node:assert/strict";
import type { CacheStatus } from "./cache/cache.ts";
import { openDatabase } from "./db/db.ts";
import { checkHealth } from "./health.ts";

const cache = (status: CacheStatus) => ({ status: () => status });

Deno.test("checkHealth: a working database is 200, whatever the cache says", () => {
  const db = openDatabase(":memory:");
  try {
    deepStrictEqual(checkHealth({ db, cache: cache("ok") }), {
      status: "ok",
      checks: { database: "ok", cache: "ok" },
      httpStatus: 200,
    });
    deepStrictEqual(checkHealth({ db, cache: cache("in-process") }), {
      status: "ok",
      checks: { database: "ok", cache: "in-process" },
      httpStatus: 200,
    });
    // Requests are still served without the cache: reported, not fatal.
    deepStrictEqual(checkHealth({ db, cache: cache("degraded") }), {
      status: "degraded",
      checks: { database: "ok", cache: "degraded" },
      httpStatus: 200,
    });
  } finally {
    db.close();
  }
});

Deno.test("checkHealth: a database that does not answer is an error and 503", () => {
  const db = openDatabase(":memory:");
  checkHealth({ db, cache: cache("ok") }); // the statement is now cached
  db.close();
  deepStrictEqual(checkHealth({ db, cache: cache("ok") }), {
    status: "error",
    checks: { database: "error", cache: "ok" },
    httpStatus: 503,
  });
});
