/**
 * The Stripe client of the app: the official `stripe` SDK with its fetch
 * HTTP client (Deno), pointed at Stripe, or by `STRIPE_API_URL` at any
 * host speaking its API (a local mock, the tests' stand-in). Built once
 * at start-up when billing is configured; `services.billing` is null
 * otherwise, and every billing page says billing is not configured.
 *
 * @module
 */
import Stripe from "stripe";
import type { BillingConfig } from "../config.ts";

/** Billing, configured: the SDK client and the settings it was made from. */
export interface Billing {
  stripe: Stripe;
  config: BillingConfig;
}

/** Options of {@linkcode createBilling}. */
export interface BillingOptions {
  /** Retries of a request that failed on the network or with a 5xx (SDK: `maxNetworkRetries`). */
  maxNetworkRetries?: number;
  /** Milliseconds before a request to Stripe is given up. */
  timeoutMs?: number;
}

/**
 * How long a Stripe request may take before it is given up. Webhook
 * claims last longer than a request with its retries (see `webhook.ts`).
 */
export const STRIPE_TIMEOUT_MS = 10_000;

/**
 * The Stripe client for `config`.
 *
 * @example
 * ```ts
 * import { loadConfig } from "../config.ts";
 * const config = loadConfig();
 * const billing = config.billing && createBilling(config.billing);
 * ```
 */
export function createBilling(
  config: BillingConfig,
  options: BillingOptions = {},
): Billing {
  const api = config.apiUrl;
  const stripe = new Stripe(config.secretKey, {
    httpClient: Stripe.createFetchHttpClient(),
    // One retry: a checkout button should survive a dropped connection,
    // and a webhook that still fails answers 500, which Stripe retries.
    maxNetworkRetries: options.maxNetworkRetries ?? 1,
    timeout: options.timeoutMs ?? STRIPE_TIMEOUT_MS,
    telemetry: false,
    appInfo: { name: "Islet" },
    ...(api === undefined ? {} : {
      host: api.hostname.replace(/^\[(.*)\]$/, "$1"),
      port: api.port === ""
        ? (api.protocol === "https:" ? 443 : 80)
        : Number(api.port),
      protocol: api.protocol === "https:" ? "https" : "http",
    }),
  });
  return { stripe, config };
}

/**
 * Whether an error from the SDK says the object does not exist at Stripe
 * (a deleted or unknown customer, subscription…).
 *
 * @example
 * ```ts
 * declare const billing: Billing;
 * try {
 *   await billing.stripe.customers.del("cus_123");
 * } catch (err) {
 *   if (!isMissing(err)) throw err;
 * }
 * ```
 */
export function isMissing(err: unknown): boolean {
  return err instanceof Stripe.errors.StripeError &&
    (err.code === "resource_missing" || err.statusCode === 404);
}

/**
 * Whether an error means Stripe could not be reached or answered with a
 * server error: nothing was decided, trying later may work.
 *
 * @example
 * ```ts
 * declare const err: unknown;
 * if (isUnreachable(err)) console.log("Stripe is unreachable; try again later");
 * ```
 */
export function isUnreachable(err: unknown): boolean {
  if (err instanceof Stripe.errors.StripeConnectionError) return true;
  if (err instanceof Stripe.errors.StripeAPIError) return true;
  if (err instanceof Stripe.errors.StripeRateLimitError) return true;
  return err instanceof Stripe.errors.StripeError &&
    (err.statusCode ?? 0) >= 500;
}
