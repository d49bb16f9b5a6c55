import { checkHealth } from "../../lib/health.ts";
import { define } from "../../utils.ts";

/**
 * Liveness and dependency status as JSON, for load balancers and
 * monitoring; `/status` shows the same check to people.
 */
export const handler = define.handlers({
  async GET(ctx) {
    const { status, checks, httpStatus } = await checkHealth(
      ctx.state.services,
    );
    return ctx.json(
      { status, checks },
      { status: httpStatus, headers: { "cache-control": "no-store" } },
    );
  },
});
