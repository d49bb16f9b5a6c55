/**
 * Recent authentication for sensitive actions (changing email or
 * password, turning two-factor off, new recovery codes, deleting the
 * account): the session must have proved who is using it in the last
 * {@linkcode RECENT_AUTH_MS}, by signing in or on the confirm-access page
 * (password, plus a code when two-factor is on). A stolen session cookie
 * alone then cannot take the account over.
 *
 * @module
 */
import type { Context } from "fresh";
import type { Session } from "../auth/session.ts";
import { jsonError } from "../http/json.ts";
import { safeNext } from "./safe_next.ts";
import type { State } from "./state.ts";

/** How long a sign-in proof counts for sensitive actions: 10 minutes. */
export const RECENT_AUTH_MS = 10 * 60_000;

/** The page that asks for the proof again, then goes to `?next=`. */
export const CONFIRM_ACCESS_PATH = "/confirm-access";

/** The JSON endpoint that takes the proof. */
export const CONFIRM_ACCESS_API = "/api/auth/confirm-access";

/** The message of a refusal for want of a recent proof. */
export const RECENT_AUTH_REQUIRED =
  "For your security, confirm it is you before making this change";

/**
 * Whether the session proved who is using it within the last 10 minutes.
 *
 * @example
 * ```ts
 * import type { Session } from "../auth/session.ts";
 * declare const session: Session;
 * if (!isRecentlyAuthenticated(session)) console.log("ask again");
 * ```
 */
export function isRecentlyAuthenticated(
  session: Pick<Session, "authenticatedAt">,
  now: number = Date.now(),
): boolean {
  return now - session.authenticatedAt < RECENT_AUTH_MS;
}

/**
 * Null when the signed-in session has a recent proof; otherwise the answer
 * that asks for one: a 303 to the confirm-access page (which comes back to
 * `returnTo`, by default this page) for pages, a 403 naming the endpoint
 * for JSON routes (`/api/…`). The pages of `routes/(app)/settings/(recent)/`
 * get it from their group's middleware; call it in every sensitive JSON
 * route (after `requireSignedIn`) and for a page's sensitive actions.
 *
 * @example
 * ```ts
 * import { define } from "../../utils.ts";
 * export const handler = define.handlers({
 *   GET(ctx) {
 *     const ask = requireRecentAuth(ctx);
 *     if (ask) return ask;
 *     return new Response("the sensitive form");
 *   },
 * });
 * ```
 */
export function requireRecentAuth(
  ctx: Context<State>,
  returnTo?: string,
): Response | null {
  const auth = ctx.state.auth;
  if (auth.kind === "signed_in" && isRecentlyAuthenticated(auth.session)) {
    return null;
  }
  if (ctx.url.pathname.startsWith("/api/")) {
    return jsonError(403, RECENT_AUTH_REQUIRED, {
      reauthenticate: CONFIRM_ACCESS_API,
    }, { "cache-control": "no-store" });
  }
  const next = safeNext(returnTo ?? ctx.url.pathname + ctx.url.search);
  return new Response(null, {
    status: 303,
    headers: {
      location: `${CONFIRM_ACCESS_PATH}?next=${encodeURIComponent(next)}`,
      "cache-control": "no-store",
    },
  });
}
