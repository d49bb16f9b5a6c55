import { securityActivity } from "../../../lib/account/activity.ts";
import { jsonOk } from "../../../lib/http/json.ts";
import { failureJson } from "../../../lib/web/failure_answer.ts";
import { limitByUser } from "../../../lib/web/limit_user.ts";
import { define, requireSignedIn } from "../../../utils.ts";

/**
 * The account's security activity, newest first, one page at a time:
 * `?before=<next>` with the `next` of the previous answer (null on the
 * last page).
 */
export const handler = define.handlers({
  async GET(ctx) {
    const { user } = requireSignedIn(ctx.state);
    const limited = await limitByUser(ctx, "account", user.id);
    if (limited) return failureJson(limited);
    const result = await securityActivity(ctx.state.services.db, user.id, {
      before: ctx.url.searchParams.get("before"),
    });
    if (!result.ok) return failureJson(result);
    return jsonOk(
      {
        events: result.items.map((i) => ({
          id: i.id,
          event: i.event,
          description: i.sentence,
          device: i.device,
          ip: i.ip,
          at: new Date(i.at).toISOString(),
          warning: i.warning,
        })),
        next: result.next,
      },
      200,
      { "cache-control": "no-store" },
    );
  },
});
