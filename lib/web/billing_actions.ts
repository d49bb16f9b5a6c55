/**
 * Checkout and the Customer Portal as whole requests of a signed-in
 * person: billing configured, the per-account limit, then the lib action
 * (`lib/billing/checkout.ts`, `lib/billing/portal.ts`). The billing page's
 * forms and the JSON endpoints (`/api/billing/checkout`,
 * `/api/billing/portal`) are thin adapters over these.
 *
 * @module
 */
import type { Context } from "fresh";
import { type Failure, failure } from "../auth/outcome.ts";
import { type CheckoutResult, startCheckout } from "../billing/checkout.ts";
import { BILLING_NOT_CONFIGURED, billingDeps } from "../billing/deps.ts";
import { openPortal, type PortalResult } from "../billing/portal.ts";
import { readInput } from "../http/body.ts";
import { limitByUser } from "./limit_user.ts";
import { requireSignedIn, type State } from "./state.ts";

/**
 * Billing is off on this server (no Stripe keys): 404, as the webhook
 * answers, because the feature does not exist here and retrying will not
 * make it.
 */
export function billingNotConfigured(): Failure<"not_found"> {
  return failure("not_found", BILLING_NOT_CONFIGURED);
}

/** What a checkout request came to. */
export type CheckoutActionResult =
  | CheckoutResult
  | Failure<"rate_limited" | "not_found">;

/** What a portal request came to. */
export type PortalActionResult = PortalResult | Failure<"rate_limited">;

/**
 * Starts a checkout of the plan the request names (`plan`: "pro" or
 * "team", from a form or JSON, validated by `startCheckout`) for the
 * signed-in account: Stripe's checkout URL, or the portal's while a
 * subscription is live. The body is read after the sign-in, the
 * configuration and the limit are checked (a malformed one throws
 * `BodyError`), unless the caller read it already and passes `input`.
 *
 * @example
 * ```ts
 * import type { Context } from "fresh";
 * import type { State } from "./state.ts";
 * declare const ctx: Context<State>;
 * const outcome = await checkoutAction(ctx);
 * if (outcome.ok) console.log(`303 to ${outcome.url}`);
 * ```
 */
export async function checkoutAction(
  ctx: Context<State>,
  input?: Record<string, string>,
): Promise<CheckoutActionResult> {
  const { user } = requireSignedIn(ctx.state);
  const deps = billingDeps(ctx.state.services);
  if (deps === null) return billingNotConfigured();
  const limited = await limitByUser(ctx, "billing", user.id);
  if (limited) return limited;
  const { plan } = input ?? await readInput(ctx.req);
  return await startCheckout(deps, user, plan);
}

/**
 * A Customer Portal URL for the signed-in account (change the card or
 * plan, see invoices, cancel).
 *
 * @example
 * ```ts
 * import type { Context } from "fresh";
 * import type { State } from "./state.ts";
 * declare const ctx: Context<State>;
 * const outcome = await portalAction(ctx);
 * if (outcome.ok) console.log(`303 to ${outcome.url}`);
 * ```
 */
export async function portalAction(
  ctx: Context<State>,
): Promise<PortalActionResult> {
  const { user } = requireSignedIn(ctx.state);
  const deps = billingDeps(ctx.state.services);
  if (deps === null) return billingNotConfigured();
  const limited = await limitByUser(ctx, "billing", user.id);
  if (limited) return limited;
  return await openPortal(deps, user);
}
