/**
 * User queries. Secrets (password hash, TOTP secret) are not part of
 * {@linkcode User}, so a user object can be passed to pages and logged
 * without leaking them; they have their own getters.
 *
 * @module
 */
import { normalizeEmail } from "../auth/email_rule.ts";
import {
  bool,
  dialect,
  type Queryable,
  type Row,
  UniqueViolationError,
} from "./db.ts";

/** Subscription tiers, as the `users.subscription_tier` CHECK allows. */
export const SUBSCRIPTION_TIERS = ["free", "pro", "team"] as const;
/** One subscription tier. */
export type SubscriptionTier = typeof SUBSCRIPTION_TIERS[number];

/** What can be wrong with a payment, as the `users.payment_problem` CHECK allows. */
export const PAYMENT_PROBLEMS = ["past_due", "unpaid"] as const;
/**
 * `past_due`: a payment failed and Stripe is retrying (the plan still
 * works); `unpaid`: Stripe gave up (the plan is on hold).
 */
export type PaymentProblem = typeof PAYMENT_PROBLEMS[number];

/** A user, without secrets. Times are Unix milliseconds. */
export interface User {
  id: string;
  email: string;
  emailVerifiedAt: number | null;
  username: string;
  /** False for accounts created through OAuth that never set a password. */
  hasPassword: boolean;
  subscriptionTier: SubscriptionTier;
  stripeCustomerId: string | null;
  /**
   * The main subscription's payment needs fixing (the banner on every
   * signed-in page), or null; written by the billing sync.
   */
  paymentProblem: PaymentProblem | null;
  twoFactorEnabled: boolean;
  createdAt: number;
  updatedAt: number;
}

/** Thrown by {@linkcode createUser} when the e-mail or username is taken. */
export class DuplicateUserError extends Error {
  constructor(readonly field: "email" | "username") {
    super(`A user with this ${field} already exists`);
    this.name = "DuplicateUserError";
  }
}

/** The SELECT list that {@linkcode toUser} maps (for queries in sibling modules). */
export const USER_COLUMNS = userColumns("");

/**
 * {@linkcode USER_COLUMNS} with every column qualified by a table alias
 * (`userColumns("u.")`), for joins; same order, so
 * {@linkcode userFromArray} maps either.
 *
 * @example
 * ```ts
 * import type { Queryable } from "./db.ts";
 * declare const db: Queryable;
 * await db.values(`SELECT ${userColumns("u.")} FROM users u WHERE u.id = ?`, ["id"]);
 * ```
 */
export function userColumns(alias: string): string {
  const a = alias;
  return `${a}id, ${a}email, ${a}email_verified_at, ${a}username,
  ${a}password_hash IS NOT NULL AS has_password, ${a}subscription_tier,
  ${a}stripe_customer_id, ${a}two_factor_enabled, ${a}created_at, ${a}updated_at,
  ${a}payment_problem`;
}

const USER_BY_ID = `SELECT ${USER_COLUMNS} FROM users WHERE id = ?`;

/** How many values {@linkcode userFromArray} reads. */
export const USER_COLUMN_COUNT = 11;

/**
 * Maps the values of {@linkcode USER_COLUMNS} in an array row (from
 * `db.values`), starting at `offset`, to a user.
 *
 * @example
 * ```ts
 * import type { Queryable } from "./db.ts";
 * declare const db: Queryable;
 * const [values] = await db.values(`SELECT ${USER_COLUMNS} FROM users WHERE id = ?`, ["id"]);
 * const user = values === undefined ? null : userFromArray(values);
 * ```
 */
export function userFromArray(v: readonly unknown[], offset = 0): User {
  const o = offset;
  return {
    id: String(v[o]),
    email: String(v[o + 1]),
    emailVerifiedAt: v[o + 2] === null ? null : Number(v[o + 2]),
    username: String(v[o + 3]),
    hasPassword: bool(v[o + 4]),
    subscriptionTier: v[o + 5] as SubscriptionTier,
    stripeCustomerId: v[o + 6] === null ? null : String(v[o + 6]),
    twoFactorEnabled: bool(v[o + 7]),
    createdAt: Number(v[o + 8]),
    updatedAt: Number(v[o + 9]),
    paymentProblem: v[o + 10] === null ? null : v[o + 10] as PaymentProblem,
  };
}

/**
 * Maps a row selected with {@linkcode USER_COLUMNS} to a user (undefined → null).
 *
 * @example
 * ```ts
 * import type { Queryable } from "./db.ts";
 * declare const db: Queryable;
 * const user = toUser(await db.get(`SELECT ${USER_COLUMNS} FROM users WHERE id = ?`, ["id"]));
 * ```
 */
export function toUser(row: Row | undefined): User | null {
  if (row === undefined) return null;
  return userFromArray([
    row.id,
    row.email,
    row.email_verified_at,
    row.username,
    row.has_password,
    row.subscription_tier,
    row.stripe_customer_id,
    row.two_factor_enabled,
    row.created_at,
    row.updated_at,
    row.payment_problem,
  ]);
}

/** Input of {@linkcode createUser}. */
export interface NewUser {
  email: string;
  username: string;
  /** argon2id PHC string; omit for OAuth sign-ups. */
  passwordHash?: string | null;
  /** Set when the address is already verified (e.g. by an OAuth provider). */
  emailVerifiedAt?: number | null;
}

/**
 * Creates a user (random UUID) and their default preferences, in one
 * transaction. Throws {@linkcode DuplicateUserError} when the e-mail or
 * username is taken (case-insensitively).
 *
 * @example
 * ```ts
 * import { hashPassword } from "../auth/password.ts";
 * import type { Queryable } from "./db.ts";
 * declare const db: Queryable;
 * const passwordHash = await hashPassword("correct horse battery staple");
 * const user = await createUser(db, { email: "ada@example.com", username: "ada", passwordHash });
 * ```
 */
export async function createUser(
  db: Queryable,
  input: NewUser,
  now: number = Date.now(),
): Promise<User> {
  const id = crypto.randomUUID();
  try {
    await db.transaction(async (tx) => {
      await tx.run(
        `INSERT INTO users (id, email, email_verified_at, username, password_hash, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
        [
          id,
          normalizeEmail(input.email),
          input.emailVerifiedAt ?? null,
          input.username.trim(),
          input.passwordHash ?? null,
          now,
          now,
        ],
      );
      await tx.run(
        "INSERT INTO preferences (user_id, updated_at) VALUES (?, ?)",
        [id, now],
      );
    });
  } catch (error) {
    if (error instanceof UniqueViolationError) {
      if (error.target === "users.email") throw new DuplicateUserError("email");
      if (error.target === "users.username") {
        throw new DuplicateUserError("username");
      }
    }
    throw error;
  }
  return (await getUserById(db, id))!;
}

/**
 * The user with this id, or null.
 *
 * @example
 * ```ts
 * import type { SessionRow } from "./sessions.ts";
 * import type { Queryable } from "./db.ts";
 * declare const db: Queryable;
 * declare const session: SessionRow;
 * const user = await getUserById(db, session.userId);
 * ```
 */
export async function getUserById(
  db: Queryable,
  id: string,
): Promise<User | null> {
  // Array rows: this runs on every authenticated request.
  const [values] = await db.values(USER_BY_ID, [id]);
  return values === undefined ? null : userFromArray(values);
}

/**
 * The user with this e-mail address (any case), or null.
 *
 * @example
 * ```ts
 * import type { Queryable } from "./db.ts";
 * declare const db: Queryable;
 * const user = await getUserByEmail(db, "Ada@Example.com"); // finds ada@example.com
 * ```
 */
export async function getUserByEmail(
  db: Queryable,
  email: string,
): Promise<User | null> {
  // Stored lower-cased (all of Unicode) on both engines: an exact match.
  return toUser(
    await db.get(`SELECT ${USER_COLUMNS} FROM users WHERE email = ?`, [
      normalizeEmail(email),
    ]),
  );
}

/**
 * The user with this username (any case), or null.
 *
 * @example
 * ```ts
 * import type { Queryable } from "./db.ts";
 * declare const db: Queryable;
 * const taken = (await getUserByUsername(db, "ada")) !== null;
 * ```
 */
export async function getUserByUsername(
  db: Queryable,
  username: string,
): Promise<User | null> {
  // SQLite: the column is COLLATE NOCASE. PostgreSQL: the unique index is
  // on lower(username), which this form uses.
  const sql = dialect(db, {
    sqlite: `SELECT ${USER_COLUMNS} FROM users WHERE username = ?`,
    postgres:
      `SELECT ${USER_COLUMNS} FROM users WHERE lower(username) = lower(?)`,
  });
  return toUser(await db.get(sql, [username.trim()]));
}

/**
 * The user whose Stripe customer this is, or null (billing webhooks).
 *
 * @example
 * ```ts
 * import type { Queryable } from "./db.ts";
 * declare const db: Queryable;
 * const user = await getUserByStripeCustomerId(db, "cus_123");
 * ```
 */
export async function getUserByStripeCustomerId(
  db: Queryable,
  customerId: string,
): Promise<User | null> {
  return toUser(
    await db.get(
      `SELECT ${USER_COLUMNS} FROM users WHERE stripe_customer_id = ?`,
      [customerId],
    ),
  );
}

/**
 * The stored password hash, or null (no such user, or no password).
 *
 * @example
 * ```ts
 * import type { Queryable } from "./db.ts";
 * declare const db: Queryable;
 * declare const user: User;
 * const hash = await getPasswordHash(db, user.id); // null for an OAuth-only account
 * ```
 */
export async function getPasswordHash(
  db: Queryable,
  userId: string,
): Promise<string | null> {
  const row = await db.get("SELECT password_hash FROM users WHERE id = ?", [
    userId,
  ]);
  return row?.password_hash == null ? null : String(row.password_hash);
}

/**
 * Sets (or, with null, removes) the password hash. Also used to store a
 * rehash when argon2 parameters change.
 *
 * @example
 * ```ts
 * import { hashPassword } from "../auth/password.ts";
 * import type { Queryable } from "./db.ts";
 * declare const db: Queryable;
 * declare const user: User;
 * declare const newPassword: string;
 * await updatePasswordHash(db, user.id, await hashPassword(newPassword));
 * ```
 */
export async function updatePasswordHash(
  db: Queryable,
  userId: string,
  passwordHash: string | null,
  now: number = Date.now(),
): Promise<void> {
  await db.run(
    "UPDATE users SET password_hash = ?, updated_at = ? WHERE id = ?",
    [passwordHash, now, userId],
  );
}

/**
 * Marks the user's e-mail address verified.
 *
 * @example
 * ```ts
 * import type { Queryable } from "./db.ts";
 * declare const db: Queryable;
 * declare const user: User;
 * await markEmailVerified(db, user.id);
 * ```
 */
export async function markEmailVerified(
  db: Queryable,
  userId: string,
  now: number = Date.now(),
): Promise<void> {
  await db.run(
    "UPDATE users SET email_verified_at = ?, updated_at = ? WHERE id = ?",
    [now, now, userId],
  );
}

/**
 * Sets the subscription tier, the Stripe customer id and/or the payment
 * problem (billing): the fields given, the others left as they are.
 *
 * @example
 * ```ts
 * import type { Queryable } from "./db.ts";
 * declare const db: Queryable;
 * declare const user: User;
 * await updateBilling(db, user.id, { stripeCustomerId: "cus_123" });
 * await updateBilling(db, user.id, { subscriptionTier: "pro" });
 * await updateBilling(db, user.id, { paymentProblem: "past_due" });
 * ```
 */
export async function updateBilling(
  db: Queryable,
  userId: string,
  fields: {
    subscriptionTier?: SubscriptionTier;
    stripeCustomerId?: string | null;
    paymentProblem?: PaymentProblem | null;
  },
  now: number = Date.now(),
): Promise<void> {
  await db.run(
    `UPDATE users SET
       subscription_tier = CASE WHEN ?1 = 1 THEN ?2 ELSE subscription_tier END,
       stripe_customer_id = CASE WHEN ?3 = 1 THEN ?4 ELSE stripe_customer_id END,
       payment_problem = CASE WHEN ?5 = 1 THEN ?6 ELSE payment_problem END,
       updated_at = ?7
     WHERE id = ?8`,
    [
      fields.subscriptionTier !== undefined ? 1 : 0,
      fields.subscriptionTier ?? null,
      fields.stripeCustomerId !== undefined ? 1 : 0,
      fields.stripeCustomerId ?? null,
      fields.paymentProblem !== undefined ? 1 : 0,
      fields.paymentProblem ?? null,
      now,
      userId,
    ],
  );
}

/**
 * Deletes the user; sessions, tokens, OAuth links, codes, subscriptions and
 * preferences go with them (ON DELETE CASCADE); audit rows stay, unlinked.
 * Callers also end the user's cached sessions (`invalidateUserSessions`
 * first).
 *
 * @example
 * ```ts
 * import { invalidateUserSessions, type SessionDeps } from "../auth/session.ts";
 * declare const deps: SessionDeps;
 * declare const user: User;
 * await invalidateUserSessions(deps, user.id);
 * await deleteUser(deps.db, user.id);
 * ```
 */
export async function deleteUser(db: Queryable, userId: string): Promise<void> {
  await db.run("DELETE FROM users WHERE id = ?", [userId]);
}

/**
 * Moves the account to another email address (lower-cased), verified at
 * `verifiedAt` (the link that made the change was opened from that inbox).
 * Throws {@linkcode DuplicateUserError} when another account has it.
 *
 * @example
 * ```ts
 * import type { Queryable } from "./db.ts";
 * declare const tx: Queryable;
 * declare const user: User;
 * await updateEmail(tx, user.id, "ada@example.org", Date.now());
 * ```
 */
export async function updateEmail(
  db: Queryable,
  userId: string,
  email: string,
  verifiedAt: number | null,
  now: number = Date.now(),
): Promise<void> {
  try {
    // A savepoint: on PostgreSQL a refused statement would otherwise end
    // the caller's whole transaction.
    await db.transaction((tx) =>
      tx.run(
        `UPDATE users SET email = ?, email_verified_at = ?, updated_at = ?
         WHERE id = ?`,
        [normalizeEmail(email), verifiedAt, now, userId],
      )
    );
  } catch (error) {
    if (
      error instanceof UniqueViolationError && error.target === "users.email"
    ) throw new DuplicateUserError("email");
    throw error;
  }
}
