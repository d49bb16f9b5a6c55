/**
 * What the sign-in, sign-up and session routes share: request metadata,
 * rate limits, starting a session, and safe redirect targets.
 *
 * @module
 */
import type { Context } from "fresh";
import { sessionCookie } from "../auth/cookie.ts";
import { createSession, invalidateSession } from "../auth/session.ts";
import type { SignInLimiter } from "../auth/sign_in.ts";
import type { RequestMeta } from "../auth/sign_up.ts";
import { audit } from "../db/audit.ts";
import { jsonError } from "../http/json.ts";
import type { Services } from "../services.ts";
import type { State } from "../../utils.ts";
import {
  clearSignInFailures,
  ipRateLimitKey,
  type PolicyName,
  rateLimit,
  signInBlockedFor,
  tooManyRequests,
} from "../security/rate_limit.ts";

// Kept here too: the routes import it with the other sign-in helpers.
export { safeNext } from "./safe_next.ts";

/**
 * IP and user agent of the request, for sessions and the audit log.
 *
 * @example
 * ```ts
 * import type { Context } from "fresh";
 * import type { State } from "../../utils.ts";
 * declare const ctx: Context<State>;
 * const meta = requestMeta(ctx); // { ip: "203.0.113.9", userAgent: "Mozilla/5.0 …" }
 * ```
 */
export function requestMeta(ctx: Context<State>): RequestMeta {
  const ua = ctx.req.headers.get("user-agent");
  return {
    ip: ctx.state.clientIp,
    userAgent: ua === null ? null : ua.slice(0, 512),
  };
}

/**
 * Counts the request against a policy keyed by client IP; the 429 answer
 * when over the limit, null otherwise (or when limits are off).
 *
 * @example
 * ```ts
 * import type { Context } from "fresh";
 * import type { State } from "../../utils.ts";
 * declare const ctx: Context<State>;
 * async function handler(): Promise<Response> {
 *   const refused = await limitByIp(ctx, "auth");
 *   if (refused) return refused;
 *   return new Response("not limited");
 * }
 * ```
 */
export async function limitByIp(
  ctx: Context<State>,
  policy: PolicyName,
): Promise<Response | null> {
  const { services } = ctx.state;
  if (!services.config.rateLimits) return null;
  const result = await rateLimit(
    services.cache,
    policy,
    ipRateLimitKey(ctx.state.clientIp),
  );
  return result.allowed ? null : tooManyRequests(result);
}

/**
 * The per-account failed sign-in counter, as sign-in needs it.
 *
 * @example
 * ```ts
 * import { signIn } from "../auth/sign_in.ts";
 * import type { Context } from "fresh";
 * import type { State } from "../../utils.ts";
 * declare const ctx: Context<State>;
 * const { services } = ctx.state;
 * const input = { email: "ada@example.com", password: "correct horse battery" };
 * const result = await signIn(services.db, accountLimiter(services), input, requestMeta(ctx));
 * ```
 */
export function accountLimiter(services: Services): SignInLimiter {
  if (!services.config.rateLimits) {
    return {
      blockedFor: () => Promise.resolve(0),
      succeeded: async () => {},
    };
  }
  return {
    blockedFor: (email) => signInBlockedFor(services.cache, email),
    succeeded: (email) => clearSignInFailures(services.cache, email),
  };
}

/**
 * Starts a new session for a user who just proved who they are, ending the
 * session this request came with (if any): a token that existed before
 * sign-in never becomes valid. Returns the Set-Cookie value.
 *
 * @example
 * ```ts
 * import type { User } from "../db/users.ts";
 * import type { Context } from "fresh";
 * import type { State } from "../../utils.ts";
 * declare const ctx: Context<State>;
 * declare const user: User;
 * const cookie = await beginSession(ctx, user.id);
 * const headers = new Headers({ "set-cookie": cookie });
 * ```
 */
export async function beginSession(
  ctx: Context<State>,
  userId: string,
): Promise<string> {
  const { services } = ctx.state;
  if (ctx.state.session !== null) {
    await invalidateSession(services.sessions, ctx.state.session.id);
  }
  const meta = requestMeta(ctx);
  const { token, session } = await createSession(services.sessions, userId, {
    ip: meta.ip,
    userAgent: meta.userAgent,
  });
  return sessionCookie(token, session.expiresAt, services.config.secureCookies);
}

/**
 * Ends the request's session server-side and records it.
 *
 * @example
 * ```ts
 * import type { Context } from "fresh";
 * import type { State } from "../../utils.ts";
 * declare const ctx: Context<State>;
 * await endSession(ctx);
 * ```
 */
export async function endSession(ctx: Context<State>): Promise<void> {
  const { services, session, user } = ctx.state;
  if (session === null) return;
  await invalidateSession(services.sessions, session.id);
  const meta = requestMeta(ctx);
  audit(services.db, {
    userId: user?.id ?? null,
    event: "auth.sign_out",
    ip: meta.ip,
    userAgent: meta.userAgent,
  });
}

/**
 * The 401 JSON answer for an endpoint that needs a signed-in user, or null
 * when there is one.
 *
 * @example
 * ```ts
 * import type { Context } from "fresh";
 * import type { State } from "../../utils.ts";
 * declare const ctx: Context<State>;
 * function handler(): Response {
 *   const denied = requireUser(ctx);
 *   if (denied) return denied;
 *   return Response.json({ user: ctx.state.user!.id });
 * }
 * ```
 */
export function requireUser(ctx: Context<State>): Response | null {
  return ctx.state.user === null ? jsonError(401, "Sign in to continue") : null;
}
