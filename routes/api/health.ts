import { define } from "../../utils.ts";

/**
 * Liveness and dependency status, for load balancers and monitoring: 200
 * while the database answers (a degraded cache is reported, not fatal,
 * because requests are still served), 503 when the database does not.
 */
export const handler = define.handlers({
  GET(ctx) {
    const { db, cache } = ctx.state.services;
    let database: "ok" | "error" = "ok";
    try {
      db.prepare("SELECT 1").get();
    } catch {
      database = "error";
    }
    const cacheStatus = cache.status();
    const status = database === "ok"
      ? (cacheStatus === "degraded" ? "degraded" : "ok")
      : "error";
    return ctx.json(
      { status, checks: { database, cache: cacheStatus } },
      {
        status: database === "ok" ? 200 : 503,
        headers: { "cache-control": "no-store" },
      },
    );
  },
});
