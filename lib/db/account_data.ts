/**
 * What the data export reads that no other query module has: an
 * account's linked sign-in methods, subscriptions, recovery-code counts
 * and open email links, each without its secret columns. The SELECT lists
 * name columns one by one on purpose: a hash or secret column added later
 * does not reach the export unless someone writes it here.
 *
 * @module
 */
import { bool, type Queryable } from "./db.ts";

/** A linked sign-in method. */
export interface LinkedAccount {
  provider: string;
  providerUserId: string;
  /** How it was shown when linked (login or email); null for old links. */
  label: string | null;
  createdAt: number;
}

/**
 * The OAuth identities linked to a user, oldest first.
 *
 * @example
 * ```ts
 * import type { Queryable } from "./db.ts";
 * declare const db: Queryable;
 * const linked = await listLinkedAccounts(db, "user-id"); // [{ provider: "github", … }]
 * ```
 */
export async function listLinkedAccounts(
  db: Queryable,
  userId: string,
): Promise<LinkedAccount[]> {
  const rows = await db.all(
    `SELECT provider, provider_user_id, label, created_at FROM oauth_accounts
     WHERE user_id = ? ORDER BY created_at, id`,
    [userId],
  );
  return rows.map((r) => ({
    provider: String(r.provider),
    providerUserId: String(r.provider_user_id),
    label: r.label == null ? null : String(r.label),
    createdAt: Number(r.created_at),
  }));
}

/** A subscription as stored (from Stripe's state). */
export interface StoredSubscription {
  stripeSubscriptionId: string;
  status: string;
  priceId: string | null;
  plan: string | null;
  currentPeriodStart: number | null;
  currentPeriodEnd: number | null;
  cancelAtPeriodEnd: boolean;
  paymentMethodBrand: string | null;
  paymentMethodLast4: string | null;
  createdAt: number;
  updatedAt: number;
}

const orNull = <T>(v: unknown, f: (x: unknown) => T): T | null =>
  v === null || v === undefined ? null : f(v);

/**
 * A user's subscriptions, oldest first.
 *
 * @example
 * ```ts
 * import type { Queryable } from "./db.ts";
 * declare const db: Queryable;
 * const subs = await listSubscriptions(db, "user-id");
 * ```
 */
export async function listSubscriptions(
  db: Queryable,
  userId: string,
): Promise<StoredSubscription[]> {
  const rows = await db.all(
    `SELECT stripe_subscription_id, status, price_id, plan, current_period_start,
       current_period_end, cancel_at_period_end, payment_method_brand,
       payment_method_last4, created_at, updated_at
     FROM subscriptions WHERE user_id = ? ORDER BY created_at, id`,
    [userId],
  );
  return rows.map((r) => ({
    stripeSubscriptionId: String(r.stripe_subscription_id),
    status: String(r.status),
    priceId: orNull(r.price_id, String),
    plan: orNull(r.plan, String),
    currentPeriodStart: orNull(r.current_period_start, Number),
    currentPeriodEnd: orNull(r.current_period_end, Number),
    cancelAtPeriodEnd: bool(r.cancel_at_period_end),
    paymentMethodBrand: orNull(r.payment_method_brand, String),
    paymentMethodLast4: orNull(r.payment_method_last4, String),
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
  }));
}

/**
 * How many recovery codes a user has, and how many are unused (never the
 * codes or their hashes).
 *
 * @example
 * ```ts
 * import type { Queryable } from "./db.ts";
 * declare const db: Queryable;
 * const { total, unused } = await countRecoveryCodes(db, "user-id");
 * ```
 */
export async function countRecoveryCodes(
  db: Queryable,
  userId: string,
): Promise<{ total: number; unused: number }> {
  const row = await db.get(
    `SELECT count(*) AS total, count(*) - count(used_at) AS unused
     FROM recovery_codes WHERE user_id = ?`,
    [userId],
  );
  return { total: Number(row?.total ?? 0), unused: Number(row?.unused ?? 0) };
}

/** A single-use link sent by email and not used yet (its token is not kept). */
export interface OpenLink {
  kind: "email_verification" | "password_reset" | "security_notice";
  /** The address being verified, for verification links. */
  email: string | null;
  createdAt: number;
  expiresAt: number;
}

/**
 * The account's outstanding emailed links, without their token hashes.
 *
 * @example
 * ```ts
 * import type { Queryable } from "./db.ts";
 * declare const db: Queryable;
 * const links = await listOpenLinks(db, "user-id");
 * ```
 */
export async function listOpenLinks(
  db: Queryable,
  userId: string,
): Promise<OpenLink[]> {
  const rows = await db.all(
    `SELECT 'email_verification' AS kind, email, created_at, expires_at
       FROM email_verification_tokens WHERE user_id = ?1
     UNION ALL
     SELECT 'password_reset', NULL, created_at, expires_at
       FROM password_reset_tokens WHERE user_id = ?1
     UNION ALL
     SELECT 'security_notice', NULL, created_at, expires_at
       FROM security_notice_tokens WHERE user_id = ?1
     ORDER BY created_at`,
    [userId],
  );
  return rows.map((r) => ({
    kind: String(r.kind) as OpenLink["kind"],
    email: orNull(r.email, String),
    createdAt: Number(r.created_at),
    expiresAt: Number(r.expires_at),
  }));
}
