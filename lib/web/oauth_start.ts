/**
 * The start of a provider flow, `GET /oauth/<id>`: make the flow's
 * secrets, keep them in the flow cookie, send the browser to the provider.
 *
 * Two intents share it. A sign-in (`?next=…`, also a sign-up: the callback
 * makes the account when the identity is new) needs nothing of the
 * request but the IP limit: it may be started while signed in, which is
 * how an account without a password confirms access (a new sign-in is the
 * proof). A connection (`?intent=link`) adds a provider to the signed-in
 * account, which changes how the account signs in, so it asks what the
 * other sensitive settings ask: signed in, a sign-in proof from the last
 * 10 minutes, and a request made by Islet's own page or typed by the
 * person (`Sec-Fetch-Site: same-origin` or `none`). A browser that sends
 * no `Sec-Fetch-Site` cannot connect (fail closed): every current one
 * sends it.
 *
 * @module
 */
import type { Context } from "fresh";
import { flowCookie, newFlow } from "../oauth/flow.ts";
import { OAuthError } from "../oauth/provider.ts";
import { limitByIp } from "./auth.ts";
import {
  CONNECTIONS_PAGE,
  type OAuthAnswer,
  oauthProblem,
  type OAuthProblemContext,
  type OAuthProblemReason,
} from "./oauth_failure.ts";
import { isRecentlyAuthenticated } from "./recent_auth.ts";
import { safeNext } from "./safe_next.ts";
import type { State } from "./state.ts";

const SAME_SITE_STARTS: ReadonlySet<string> = new Set(["same-origin", "none"]);

/**
 * Starts a sign-in or a connection with provider `id` from the request.
 *
 * @example
 * ```ts
 * import type { Context } from "fresh";
 * import type { State } from "./state.ts";
 * import { oauthHeaders } from "./oauth_failure.ts";
 * declare const ctx: Context<State>;
 * const answer = await startOAuthAction(ctx, "github");
 * if (answer.kind === "redirect") {
 *   new Response(null, { status: 303, headers: oauthHeaders(answer) });
 * } else console.log(answer.problem.status); // 404, 429, 504, …
 * ```
 */
export async function startOAuthAction(
  ctx: Context<State>,
  id: string,
): Promise<OAuthAnswer> {
  const { services, auth } = ctx.state;
  const params = ctx.url.searchParams;
  const client = services.oauth.get(id);
  const intentParam = params.get("intent");
  const intent = intentParam === "link" ? "link" : "sign_in";
  const next = intent === "link"
    ? CONNECTIONS_PAGE
    : safeNext(params.get("next"));
  const context: OAuthProblemContext = {
    provider: client === null ? null : { id: client.id, name: client.name },
    intent,
    next,
  };
  const problem = (
    reason: OAuthProblemReason,
    extra: Partial<OAuthProblemContext> = {},
  ): OAuthAnswer => ({
    kind: "problem",
    problem: oauthProblem(reason, { ...context, ...extra }),
    cookies: [],
  });

  if (client === null) return problem("unknown_provider");
  const limited = await limitByIp(ctx, "auth");
  if (limited) {
    return problem("rate_limited", {
      retryAfterSeconds: limited.retryAfterSeconds,
    });
  }
  if (intentParam !== null && intentParam !== "link") {
    return problem("bad_request", { intent: "sign_in" });
  }

  let userId: string | null = null;
  if (intent === "link") {
    const site = ctx.req.headers.get("sec-fetch-site");
    if (site === null || !SAME_SITE_STARTS.has(site)) {
      return problem("cross_site");
    }
    if (auth.kind !== "signed_in") {
      return redirect(`/login?next=${encodeURIComponent(CONNECTIONS_PAGE)}`);
    }
    if (!isRecentlyAuthenticated(auth.session)) {
      return redirect(
        `/confirm-access?next=${encodeURIComponent(CONNECTIONS_PAGE)}`,
      );
    }
    userId = auth.user.id;
  }

  const flow = newFlow({
    providerId: client.id,
    next,
    intent,
    userId,
    oidc: client.provider !== "github",
  });
  let location: URL;
  try {
    location = await client.authorizationUrl(flow);
  } catch (err) {
    // Discovery failed: the provider is down or its document is wrong.
    if (err instanceof OAuthError) return problem(err.reason);
    throw err;
  }
  return {
    kind: "redirect",
    location: location.href,
    cookies: [flowCookie(flow, services.config.secureCookies)],
  };
}

function redirect(location: string): OAuthAnswer {
  return { kind: "redirect", location, cookies: [] };
}
