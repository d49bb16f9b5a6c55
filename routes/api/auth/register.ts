import { signUp } from "../../../lib/auth/sign_up.ts";
import { bodyErrorResponse, readInput } from "../../../lib/http/body.ts";
import { jsonError, jsonOk } from "../../../lib/http/json.ts";
import { beginSession, limitByIp, requestMeta } from "../../../lib/web/auth.ts";
import { userJson } from "../../../lib/web/user_json.ts";
import { define } from "../../../utils.ts";

/** Creates an account and signs it in. JSON or form-encoded input. */
export const handler = define.handlers({
  async POST(ctx) {
    const refused = await limitByIp(ctx, "auth") ??
      await limitByIp(ctx, "registration");
    if (refused) return refused;
    const input = await readInput(ctx.req).catch(bodyErrorResponse);
    if (input instanceof Response) return input;
    const result = await signUp(ctx.state.services.db, input, requestMeta(ctx));
    if (!result.ok) {
      if (result.status === 503) {
        return jsonError(503, result.error, undefined, {
          "retry-after": String(result.retryAfterSeconds),
        });
      }
      return jsonError(result.status, result.error, result.details);
    }
    const cookie = await beginSession(ctx, result.user.id);
    return jsonOk({ user: userJson(result.user) }, 201, {
      "set-cookie": cookie,
    });
  },
});
