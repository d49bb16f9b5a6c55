/**
 * Rate limits counted per account rather than per network: for actions of
 * a signed-in person on their own account (export, deletion, preferences,
 * activity pages), where the account is what a stolen session would abuse.
 *
 * @module
 */
import type { Context } from "fresh";
import { type Failure, failure } from "../auth/outcome.ts";
import { type PolicyName, rateLimit } from "../security/rate_limit.ts";
import type { State } from "./state.ts";

/**
 * Counts one request of `userId` against `policy`: the refusal when over
 * the limit, null otherwise (or when limits are off).
 *
 * @example
 * ```ts
 * import type { Context } from "fresh";
 * import type { State } from "./state.ts";
 * declare const ctx: Context<State>;
 * const refused = await limitByUser(ctx, "export", "user-id");
 * if (refused) console.log(refused.retryAfterSeconds); // 3540
 * ```
 */
export async function limitByUser(
  ctx: Context<State>,
  policy: PolicyName,
  userId: string,
): Promise<Failure<"rate_limited"> | null> {
  const { services } = ctx.state;
  if (!services.config.rateLimits) return null;
  const result = await rateLimit(services.cache, policy, userId);
  if (result.allowed) return null;
  const seconds = Math.max(1, Math.ceil(result.retryAfterMs / 1000));
  const wait = seconds >= 120
    ? `${Math.ceil(seconds / 60)} minutes`
    : `${seconds} seconds`;
  return failure(
    "rate_limited",
    `Too many requests for this account; try again in ${wait}`,
    { retryAfterSeconds: seconds, by: "account" },
  );
}
