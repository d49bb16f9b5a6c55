import { readInput } from "../../../../lib/http/body.ts";
import { jsonOk } from "../../../../lib/http/json.ts";
import { failureJson } from "../../../../lib/web/failure_answer.ts";
import { enableTwoFactorAction } from "../../../../lib/web/two_factor_actions.ts";
import { define } from "../../../../utils.ts";

/**
 * Turns two-factor on with `{ "code": "123456" }` from the app set up by
 * `setup`. Answers `{ recoveryCodes }`: the ten codes, shown this once.
 * A wrong code is 400 with `details.code`, the 6th in 15 minutes 429.
 */
export const handler = define.handlers({
  async POST(ctx) {
    const outcome = await enableTwoFactorAction(ctx, await readInput(ctx.req));
    if (!outcome.ok) return failureJson(outcome);
    return jsonOk({ recoveryCodes: outcome.recoveryCodes }, 200, {
      "cache-control": "no-store",
    });
  },
});
