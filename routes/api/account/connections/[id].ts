import { jsonOk } from "../../../../lib/http/json.ts";
import { disconnectAction } from "../../../../lib/web/connections_actions.ts";
import { failureJson } from "../../../../lib/web/failure_answer.ts";
import { define } from "../../../../utils.ts";

/**
 * Disconnects one connected account (`<id>` from the list). Needs a
 * sign-in from the last 10 minutes: otherwise 403 with
 * `details.reauthenticate`. Another account's link or an unknown id is
 * 404; the account's only way to sign in (no password, one link) is 409.
 */
export const handler = define.handlers({
  async DELETE(ctx) {
    const outcome = await disconnectAction(ctx, ctx.params.id);
    if (outcome instanceof Response) return outcome;
    if (!outcome.ok) return failureJson(outcome);
    return jsonOk({
      disconnected: ctx.params.id,
      provider: outcome.providerName,
    });
  },
});
