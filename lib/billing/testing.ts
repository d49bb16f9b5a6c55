/**
 * Test helpers for billing: its dependencies over a test database and a
 * running Stripe stand-in (`tests/helpers/stripe_standin.ts`), with the
 * real SDK pointed at the stand-in and mail queued in the outbox table.
 *
 * @module
 */
import { createMemoryCache } from "../cache/memory.ts";
import { loadConfig } from "../config.ts";
import type { Db } from "../db/db.ts";
import { createUser, updateBilling, type User } from "../db/users.ts";
import { mailDeps } from "../auth/mail_testing.ts";
import { StripeStandin } from "../../tests/helpers/stripe_standin.ts";
import { createBilling } from "./client.ts";
import type { BillingDeps } from "./sync.ts";

/** What {@linkcode withBilling} gives a test. */
export interface BillingTest {
  deps: BillingDeps;
  stripe: StripeStandin;
  /** A verified user with a Stripe customer at the stand-in. */
  customer(email?: string): Promise<User & { stripeCustomerId: string }>;
}

/**
 * Runs `fn` with billing deps over `db` and a fresh stand-in, closed after.
 *
 * @example
 * ```ts
 * import type { Db } from "../db/db.ts";
 * declare const db: Db;
 * await withBilling(db, async ({ deps, stripe, customer }) => {
 *   const user = await customer();
 *   stripe.addSubscription(user.stripeCustomerId);
 * });
 * ```
 */
export async function withBilling<T>(
  db: Db,
  fn: (t: BillingTest) => Promise<T>,
): Promise<T> {
  const stripe = await StripeStandin.start();
  const cache = createMemoryCache();
  try {
    const config = loadConfig(stripe.env());
    const deps: BillingDeps = {
      ...mailDeps(db),
      db,
      cache,
      billing: createBilling(config.billing!),
    };
    const customer = async (email?: string) => {
      const address = email ?? `${crypto.randomUUID().slice(0, 8)}@example.com`;
      const user = await createUser(db, {
        email: address,
        username: address.split("@")[0],
        emailVerifiedAt: Date.now(),
      });
      const made = stripe.addCustomer({
        email: address,
        metadata: { user_id: user.id },
      });
      await updateBilling(db, user.id, { stripeCustomerId: made.id });
      return { ...user, stripeCustomerId: made.id as string };
    };
    return await fn({ deps, stripe, customer });
  } finally {
    await cache.close();
    await stripe.close();
  }
}
