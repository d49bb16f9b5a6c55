import { endOneSession } from "../../../../lib/auth/end_sessions.ts";
import { deleteSessionCookie } from "../../../../lib/auth/cookie.ts";
import { jsonError, jsonOk } from "../../../../lib/http/json.ts";
import { requestMeta, requireUser } from "../../../../lib/web/auth.ts";
import { define } from "../../../../utils.ts";

/** Ends one of the user's sessions; another user's session is a 404. */
export const handler = define.handlers({
  async DELETE(ctx) {
    const denied = requireUser(ctx);
    if (denied) return denied;
    const { services, user, session } = ctx.state;
    const ended = await endOneSession(
      services.sessions,
      user!.id,
      ctx.params.id,
      requestMeta(ctx),
    );
    if (ended === null) return jsonError(404, "No such session");
    const headers: HeadersInit = ended.id === session!.id
      ? { "set-cookie": deleteSessionCookie(services.config.secureCookies) }
      : {};
    return jsonOk({ ended: ended.id }, 200, headers);
  },
});
