import { signIn } from "../../../lib/auth/sign_in.ts";
import { bodyErrorResponse, readInput } from "../../../lib/http/body.ts";
import { jsonError, jsonOk } from "../../../lib/http/json.ts";
import {
  accountLimiter,
  beginSession,
  limitByIp,
  requestMeta,
} from "../../../lib/web/auth.ts";
import { userJson } from "../../../lib/web/user_json.ts";
import { define } from "../../../utils.ts";

/** Signs in with email and password; a new session on every sign-in. */
export const handler = define.handlers({
  async POST(ctx) {
    const refused = await limitByIp(ctx, "auth");
    if (refused) return refused;
    const input = await readInput(ctx.req).catch(bodyErrorResponse);
    if (input instanceof Response) return input;
    const { services } = ctx.state;
    const result = await signIn(
      services.db,
      accountLimiter(services),
      input,
      requestMeta(ctx),
    );
    if (!result.ok) {
      if (result.status === 429 || result.status === 503) {
        return jsonError(result.status, result.error, undefined, {
          "retry-after": String(result.retryAfterSeconds),
        });
      }
      return jsonError(result.status, result.error, result.details);
    }
    const cookie = await beginSession(ctx, result.user.id);
    return jsonOk({ user: userJson(result.user) }, 200, {
      "set-cookie": cookie,
    });
  },
});
