import { define } from "../../utils.ts";

/** Liveness and dependency status, for load balancers and monitoring. */
export const handler = define.handlers({
  GET(ctx) {
    return ctx.json(
      {
        status: "ok",
        checks: { database: "not configured", cache: "not configured" },
      },
      { headers: { "cache-control": "no-store" } },
    );
  },
});
