import { endOneSession } from "../../../../lib/auth/end_sessions.ts";
import { deleteSessionCookie } from "../../../../lib/auth/cookie.ts";
import { failure } from "../../../../lib/auth/outcome.ts";
import { jsonOk } from "../../../../lib/http/json.ts";
import { requestMeta } from "../../../../lib/web/auth.ts";
import { failureJson } from "../../../../lib/web/failure_answer.ts";
import { define, requireSignedIn } from "../../../../utils.ts";

/**
 * Ends one of the user's sessions; another user's session is a 404 like an
 * unknown one. Ending the current session is a sign-out: its cookie goes.
 */
export const handler = define.handlers({
  async DELETE(ctx) {
    const { user, session } = requireSignedIn(ctx.state);
    const { services } = ctx.state;
    const ended = await endOneSession(
      services.sessions,
      user.id,
      ctx.params.id,
      requestMeta(ctx),
    );
    if (ended === null) {
      return failureJson(failure("not_found", "No such session"));
    }
    const headers: HeadersInit = ended.id === session.id
      ? { "set-cookie": deleteSessionCookie(services.config.secureCookies) }
      : {};
    return jsonOk({ ended: ended.id }, 200, headers);
  },
});
