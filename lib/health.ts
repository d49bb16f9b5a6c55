/**
 * The service's health: whether the database answers and how the cache is
 * doing. One check, read by `/api/health` (JSON, for load balancers) and
 * `/status` (the same facts in words, for people).
 *
 * @module
 */
import type { CacheStatus } from "./cache/cache.ts";
import type { Db } from "./db/db.ts";

/** Overall state: "degraded" still serves requests, "error" does not. */
export type HealthStatus = "ok" | "degraded" | "error";

/** The result of one health check. */
export interface Health {
  status: HealthStatus;
  checks: { database: "ok" | "error"; cache: CacheStatus };
  /**
   * 200 while the database answers (a degraded cache is reported, not
   * fatal, because requests are still served), 503 when it does not.
   */
  httpStatus: 200 | 503;
}

/**
 * Checks the database with a trivial query and reads the cache's status.
 * Never throws: a failing database is the answer, not an error.
 *
 * @example
 * ```ts
 * import { checkHealth } from "./health.ts";
 * import { createMemoryCache } from "./cache/memory.ts";
 * import { openSqlite } from "./db/sqlite.ts";
 *
 * const health = await checkHealth({
 *   db: openSqlite(":memory:"),
 *   cache: createMemoryCache(),
 * });
 * health.status; // "ok"
 * ```
 */
export async function checkHealth(
  services: { db: Pick<Db, "ping">; cache: { status(): CacheStatus } },
): Promise<Health> {
  let database: "ok" | "error" = "ok";
  try {
    // Bounded by the statement timeout on PostgreSQL: never a hang.
    await services.db.ping();
  } catch {
    database = "error";
  }
  const cache = services.cache.status();
  const status = database === "ok"
    ? (cache === "degraded" ? "degraded" : "ok")
    : "error";
  return {
    status,
    checks: { database, cache },
    httpStatus: database === "ok" ? 200 : 503,
  };
}
