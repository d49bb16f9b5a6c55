import { endOtherSessions } from "../../../../lib/auth/end_sessions.ts";
import { listUserSessions } from "../../../../lib/auth/session.ts";
import { jsonOk } from "../../../../lib/http/json.ts";
import { requestMeta } from "../../../../lib/web/auth.ts";
import { sessionJson } from "../../../../lib/web/user_json.ts";
import { define, requireSignedIn } from "../../../../utils.ts";

/** Lists the user's sessions (GET) or ends all but the current one (DELETE). */
export const handler = define.handlers({
  async GET(ctx) {
    const { user, session } = requireSignedIn(ctx.state);
    const sessions =
      (await listUserSessions(ctx.state.services.sessions, user.id))
        .map((s) => sessionJson(s, session.id));
    return jsonOk({ sessions }, 200, { "cache-control": "no-store" });
  },
  async DELETE(ctx) {
    const { user, session } = requireSignedIn(ctx.state);
    const ended = await endOtherSessions(
      ctx.state.services.sessions,
      user.id,
      session.id,
      requestMeta(ctx),
    );
    return jsonOk({ ended });
  },
});
