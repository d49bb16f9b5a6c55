/**
 * What the sign-in, sign-up and session routes share: request metadata,
 * rate limits, starting a session, and safe redirect targets.
 *
 * @module
 */
import type { Context } from "fresh";
import { sessionCookie } from "../auth/cookie.ts";
import { pendingCookieExpiry } from "../auth/pending_session.ts";
import { createSession, invalidateSession } from "../auth/session.ts";
import type { SignInLimiter } from "../auth/sign_in.ts";
import type { RequestMeta } from "../auth/sign_up.ts";
import { signOut } from "../auth/end_sessions.ts";
import { type Failure, failure } from "../auth/outcome.ts";
import type { Services } from "../services.ts";
import type { State } from "./state.ts";
import {
  clearSignInFailures,
  ipRateLimitKey,
  type PolicyName,
  rateLimit,
  signInBlockedFor,
} from "../security/rate_limit.ts";

// Kept here too: the routes import it with the other sign-in helpers.
export { safeNext } from "./safe_next.ts";

/**
 * IP and user agent of the request, for sessions and the audit log.
 *
 * @example
 * ```ts
 * import type { Context } from "fresh";
 * import type { State } from "./state.ts";
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
 * Counts the request against a policy keyed by client IP: the refusal when
 * over the limit, null otherwise (or when limits are off).
 *
 * @example
 * ```ts
 * import type { Context } from "fresh";
 * import type { State } from "./state.ts";
 * declare const ctx: Context<State>;
 * const refused = await limitByIp(ctx, "auth");
 * if (refused) console.log(refused.retryAfterSeconds); // 42
 * ```
 */
export async function limitByIp(
  ctx: Context<State>,
  policy: PolicyName,
): Promise<Failure<"rate_limited"> | null> {
  const { services } = ctx.state;
  if (!services.config.rateLimits) return null;
  const result = await rateLimit(
    services.cache,
    policy,
    ipRateLimitKey(ctx.state.clientIp),
  );
  if (result.allowed) return null;
  const seconds = Math.max(1, Math.ceil(result.retryAfterMs / 1000));
  return failure(
    "rate_limited",
    `Too many requests, try again in ${seconds} seconds`,
    { retryAfterSeconds: seconds, by: "network" },
  );
}

/**
 * The per-account failed sign-in counter, as sign-in needs it.
 *
 * @example
 * ```ts
 * import { signIn } from "../auth/sign_in.ts";
 * import type { Context } from "fresh";
 * import type { State } from "./state.ts";
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
 * session this request came with (signed in, or a sign-in still waiting
 * for its code): a token that existed before sign-in never becomes valid.
 * With `secondFactorPending` the new session only waits for the code
 * (10 minutes; see `lib/auth/pending_session.ts`), and its cookie outlives
 * it so the code page can say the sign-in timed out. Returns the
 * Set-Cookie value.
 *
 * @example
 * ```ts
 * import type { User } from "../db/users.ts";
 * import type { Context } from "fresh";
 * import type { State } from "./state.ts";
 * declare const ctx: Context<State>;
 * declare const user: User;
 * const cookie = await beginSession(ctx, user.id, {
 *   secondFactorPending: user.twoFactorEnabled,
 * });
 * const headers = new Headers({ "set-cookie": cookie });
 * ```
 */
export async function beginSession(
  ctx: Context<State>,
  userId: string,
  opts: { secondFactorPending?: boolean } = {},
): Promise<string> {
  const { services } = ctx.state;
  const auth = ctx.state.auth;
  if (auth.kind !== "signed_out") {
    await invalidateSession(services.sessions, auth.session.id);
  }
  const meta = requestMeta(ctx);
  const pending = opts.secondFactorPending === true;
  const { token, session } = await createSession(services.sessions, userId, {
    ip: meta.ip,
    userAgent: meta.userAgent,
    secondFactorPending: pending,
  });
  return sessionCookie(
    token,
    pending ? pendingCookieExpiry(Date.now()) : session.expiresAt,
    services.config.secureCookies,
  );
}

/**
 * Ends the request's session server-side and records it: a signed-in one,
 * or a sign-in still waiting for its code (whose sign-out must work too:
 * it is how someone who cannot give the code starts over).
 *
 * @example
 * ```ts
 * import type { Context } from "fresh";
 * import type { State } from "./state.ts";
 * declare const ctx: Context<State>;
 * await endSession(ctx);
 * ```
 */
export async function endSession(ctx: Context<State>): Promise<void> {
  const { services, auth } = ctx.state;
  if (auth.kind === "signed_out") return;
  await signOut(
    services.sessions,
    auth.user.id,
    auth.session.id,
    requestMeta(ctx),
  );
}
