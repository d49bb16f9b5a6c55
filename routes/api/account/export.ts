import { exportAccount, exportResponse } from "../../../lib/account/export.ts";
import { failure } from "../../../lib/auth/outcome.ts";
import { requestMeta } from "../../../lib/web/auth.ts";
import { failureJson } from "../../../lib/web/failure_answer.ts";
import { limitByUser } from "../../../lib/web/limit_user.ts";
import { define, requireSignedIn } from "../../../utils.ts";

/** Everything stored about the account, as a JSON attachment (no secrets). */
export const handler = define.handlers({
  async GET(ctx) {
    const { user } = requireSignedIn(ctx.state);
    const limited = await limitByUser(ctx, "export", user.id);
    if (limited) return failureJson(limited);
    const built = await exportAccount(
      ctx.state.services.db,
      user.id,
      requestMeta(ctx),
    );
    if (built === null) {
      return failureJson(failure("not_found", "This account is gone."));
    }
    return exportResponse(built);
  },
});
