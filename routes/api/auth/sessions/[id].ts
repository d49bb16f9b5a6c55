import {
  invalidateSession,
  listUserSessions,
} from "../../../../lib/auth/session.ts";
import { deleteSessionCookie } from "../../../../lib/auth/cookie.ts";
import { audit } from "../../../../lib/db/audit.ts";
import { jsonError, jsonOk } from "../../../../lib/http/json.ts";
import { requestMeta, requireUser } from "../../../../lib/web/auth.ts";
import { define } from "../../../../utils.ts";

/** Ends one of the user's sessions; another user's session is a 404. */
export const handler = define.handlers({
  async DELETE(ctx) {
    const denied = requireUser(ctx);
    if (denied) return denied;
    const { services, user, session } = ctx.state;
    const id = ctx.params.id;
    // Only the user's own sessions are candidates, so an id of someone
    // else's session is indistinguishable from an unknown one.
    const target = listUserSessions(services.sessions, user!.id).find((s) =>
      s.id === id
    );
    if (target === undefined) return jsonError(404, "No such session");
    await invalidateSession(services.sessions, target.id);
    const meta = requestMeta(ctx);
    audit(services.db, {
      userId: user!.id,
      event: "session.end",
      ip: meta.ip,
      userAgent: meta.userAgent,
      details: { sessionId: target.id },
    });
    const headers: HeadersInit = target.id === session!.id
      ? { "set-cookie": deleteSessionCookie(services.config.secureCookies) }
      : {};
    return jsonOk({ ended: target.id }, 200, headers);
  },
});
