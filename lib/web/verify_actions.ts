/**
 * Email verification as whole requests, written once for the page (plain
 * form) and the JSON endpoint: the limits, the body, the domain action.
 *
 * @module
 */
import type { Context } from "fresh";
import type { Failure } from "../auth/outcome.ts";
import {
  type ResendResult,
  resendVerification,
  verifyEmail,
  type VerifyEmailResult,
} from "../auth/verify_email.ts";
import { readInput } from "../http/body.ts";
import { rateLimit } from "../security/rate_limit.ts";
import type { Services } from "../services.ts";
import { limitByIp, requestMeta } from "./auth.ts";
import { requireSignedIn, type State } from "./state.ts";

/** The headers of every answer that may carry a token in its URL or body. */
export const TOKEN_PAGE_HEADERS: Readonly<Record<string, string>> = {
  // The token is in the page's URL: no link or resource on it may send
  // that URL on as a Referer.
  "referrer-policy": "no-referrer",
  "cache-control": "no-store",
};

/**
 * Verifies the address a token names, from the request: the network
 * limit, the body (`token`; a malformed body throws `BodyError`), then
 * the token, for the signed-in account if there is one.
 *
 * @example
 * ```ts
 * import type { Context } from "fresh";
import type { Failure } from "../auth/outcome.ts";
 * import type { State } from "./state.ts";
 * declare const ctx: Context<State>;
 * const outcome = await verifyEmailAction(ctx);
 * if (!outcome.ok) console.log(outcome.error);
 * ```
 */
export async function verifyEmailAction(
  ctx: Context<State>,
): Promise<VerifyEmailResult | Failure<"rate_limited">> {
  const limited = await limitByIp(ctx, "auth");
  if (limited) return limited;
  const input = await readInput(ctx.req);
  const auth = ctx.state.auth;
  return await verifyEmail(ctx.state.services.db, input.token, {
    signedInUserId: auth.kind === "signed_in" ? auth.user.id : undefined,
    meta: requestMeta(ctx),
  });
}

/**
 * The per-account resend limit over the cache (3 per 10 minutes): the
 * seconds to wait, 0 when allowed (always 0 with limits off).
 *
 * @example
 * ```ts
 * import type { Services } from "../services.ts";
 * declare const services: Services;
 * const wait = await resendLimiter(services)("6f1c…");
 * ```
 */
export function resendLimiter(
  services: Services,
): (userId: string) => Promise<number> {
  return async (userId) => {
    if (!services.config.rateLimits) return 0;
    const r = await rateLimit(services.cache, "verificationResend", userId);
    return r.allowed ? 0 : Math.max(1, Math.ceil(r.retryAfterMs / 1000));
  };
}

/**
 * Sends the signed-in user a new verification link.
 *
 * @example
 * ```ts
 * import type { Context } from "fresh";
import type { Failure } from "../auth/outcome.ts";
 * import type { State } from "./state.ts";
 * declare const ctx: Context<State>;
 * const outcome = await resendVerificationAction(ctx);
 * if (!outcome.ok) console.log(outcome.retryAfterSeconds);
 * ```
 */
export async function resendVerificationAction(
  ctx: Context<State>,
): Promise<ResendResult> {
  // No input: the account is the signed-in one, the address its own.
  const { user } = requireSignedIn(ctx.state);
  const { services } = ctx.state;
  return await resendVerification(
    services.db,
    services,
    resendLimiter(services),
    user,
    requestMeta(ctx),
  );
}
