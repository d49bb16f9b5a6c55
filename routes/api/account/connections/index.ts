import { jsonOk } from "../../../../lib/http/json.ts";
import { connectionsAction } from "../../../../lib/web/connections_actions.ts";
import { connectionsJson } from "../../../../lib/web/connections_view.ts";
import { failureJson } from "../../../../lib/web/failure_answer.ts";
import { define } from "../../../../utils.ts";

/**
 * The signed-in account's connected accounts:
 * `{ providers: [{ id, name, connectUrl, connections: [{ id, label,
 * createdAt, lastMethod }] }], retired: [{ …, provider, source }],
 * hasPassword }`. `retired` are links whose provider is no longer
 * configured. Needs a sign-in from the last 10 minutes, as the page:
 * otherwise 403 with `details.reauthenticate`.
 */
export const handler = define.handlers({
  async GET(ctx) {
    const outcome = await connectionsAction(ctx);
    if (outcome instanceof Response) return outcome;
    if (!outcome.ok) return failureJson(outcome);
    return jsonOk(connectionsJson(outcome.view), 200, {
      "cache-control": "no-store",
    });
  },
});
