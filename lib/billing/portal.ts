/**
 * The Stripe Customer Portal: where a customer changes plan, card or
 * cancels, and sees every invoice. Its sessions are single-use and short,
 * so a URL is made for each visit and never stored.
 *
 * @module
 */
import { type Failure, failure } from "../auth/outcome.ts";
import type { User } from "../db/users.ts";
import { appLink } from "../email/template.ts";
import { isUnreachable } from "./client.ts";
import { UPGRADE_PATH } from "./entitlements.ts";
import type { BillingDeps } from "./sync.ts";

/** Where to send the person, or why not. */
export type PortalResult =
  | { ok: true; url: string }
  | Failure<"not_found" | "unavailable">;

/**
 * A Customer Portal URL for `user`, returning to the billing page.
 *
 * @example
 * ```ts
 * import type { User } from "../db/users.ts";
 * import type { BillingDeps } from "./sync.ts";
 * declare const deps: BillingDeps;
 * declare const user: User;
 * const result = await openPortal(deps, user);
 * if (result.ok) console.log(`303 to ${result.url}`);
 * ```
 */
export async function openPortal(
  deps: BillingDeps,
  user: Pick<User, "stripeCustomerId">,
): Promise<PortalResult> {
  if (user.stripeCustomerId === null) {
    return failure(
      "not_found",
      "You have no subscription to manage yet: choose a plan first.",
    );
  }
  try {
    const session = await deps.billing.stripe.billingPortal.sessions.create({
      customer: user.stripeCustomerId,
      return_url: appLink(deps.config, UPGRADE_PATH),
    });
    return { ok: true, url: session.url };
  } catch (err) {
    if (isUnreachable(err)) {
      return failure(
        "unavailable",
        "We could not reach our payment provider; please try again in a minute.",
        { retryAfterSeconds: 30 },
      );
    }
    throw err;
  }
}
