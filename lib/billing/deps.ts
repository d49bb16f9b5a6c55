/**
 * Billing's dependencies from the app's services, or null when billing is
 * not configured: the one check every billing route makes first.
 *
 * @module
 */
import type { Services } from "../services.ts";
import type { BillingDeps } from "./sync.ts";

export type { BillingDeps } from "./sync.ts";

/** What a page or endpoint says when Stripe is not configured. */
export const BILLING_NOT_CONFIGURED =
  "Billing is not configured on this server.";

/**
 * The deps of billing's lib functions, or null without Stripe keys.
 *
 * @example
 * ```ts
 * import type { Services } from "../services.ts";
 * declare const services: Services;
 * const deps = billingDeps(services);
 * if (deps === null) console.log(BILLING_NOT_CONFIGURED);
 * ```
 */
export function billingDeps(
  services: Pick<Services, "billing" | "db" | "cache" | "mailer" | "config">,
): BillingDeps | null {
  const { billing, db, cache, mailer, config } = services;
  return billing === null ? null : { billing, db, cache, mailer, config };
}
