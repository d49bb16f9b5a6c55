/**
 * User queries. Secrets (password hash, TOTP secret) are not part of
 * {@linkcode User}, so a user object can be passed to pages and logged
 * without leaking them; they have their own getters.
 *
 * @module
 */
import type { SQLOutputValue } from "node:sqlite";
import { normalizeEmail } from "../auth/email_rule.ts";
import type { Db } from "./connection.ts";

/** Subscription tiers, as the `users.subscription_tier` CHECK allows. */
export const SUBSCRIPTION_TIERS = ["free", "pro", "team"] as const;
/** One subscription tier. */
export type SubscriptionTier = typeof SUBSCRIPTION_TIERS[number];

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
 * import type { Db } from "./connection.ts";
 * declare const db: Db;
 * db.prepareArrays(`SELECT ${userColumns("u.")} FROM users u WHERE u.id = ?`);
 * ```
 */
export function userColumns(alias: string): string {
  const a = alias;
  return `${a}id, ${a}email, ${a}email_verified_at, ${a}username,
  ${a}password_hash IS NOT NULL AS has_password, ${a}subscription_tier,
  ${a}stripe_customer_id, ${a}two_factor_enabled, ${a}created_at, ${a}updated_at`;
}

const USER_BY_ID = `SELECT ${USER_COLUMNS} FROM users WHERE id = ?`;

/** How many values {@linkcode userFromArray} reads. */
export const USER_COLUMN_COUNT = 10;

/**
 * Maps the values of {@linkcode USER_COLUMNS} in an array row (a statement
 * from `db.prepareArrays`), starting at `offset`, to a user.
 *
 * @example
 * ```ts
 * import type { SQLOutputValue } from "node:sqlite";
 * import type { Db } from "./connection.ts";
 * declare const db: Db;
 * declare const id: string;
 * const values = db.prepareArrays(`SELECT ${USER_COLUMNS} FROM users WHERE id = ?`).get(id);
 * const user = values === undefined ? null : userFromArray(values as unknown as SQLOutputValue[]);
 * ```
 */
export function userFromArray(v: SQLOutputValue[], offset = 0): User {
  const o = offset;
  return {
    id: String(v[o]),
    email: String(v[o + 1]),
    emailVerifiedAt: v[o + 2] === null ? null : Number(v[o + 2]),
    username: String(v[o + 3]),
    hasPassword: v[o + 4] === 1,
    subscriptionTier: v[o + 5] as SubscriptionTier,
    stripeCustomerId: v[o + 6] === null ? null : String(v[o + 6]),
    twoFactorEnabled: v[o + 7] === 1,
    createdAt: Number(v[o + 8]),
    updatedAt: Number(v[o + 9]),
  };
}

/**
 * Maps a row selected with {@linkcode USER_COLUMNS} to a user (undefined → null).
 *
 * @example
 * ```ts
 * import type { Db } from "./connection.ts";
 * declare const db: Db;
 * declare const id: string;
 * const user = toUser(db.prepare(`SELECT ${USER_COLUMNS} FROM users WHERE id = ?`).get(id));
 * ```
 */
export function toUser(
  row: Record<string, SQLOutputValue> | undefined,
): User | null {
  if (row === undefined) return null;
  return {
    id: String(row.id),
    email: String(row.email),
    emailVerifiedAt: row.email_verified_at === null
      ? null
      : Number(row.email_verified_at),
    username: String(row.username),
    hasPassword: row.has_password === 1,
    subscriptionTier: row.subscription_tier as SubscriptionTier,
    stripeCustomerId: row.stripe_customer_id === null
      ? null
      : String(row.stripe_customer_id),
    twoFactorEnabled: row.two_factor_enabled === 1,
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
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
 * import type { Db } from "./connection.ts";
 * declare const db: Db;
 * const passwordHash = await hashPassword("correct horse battery staple");
 * const user = createUser(db, { email: "ada@example.com", username: "ada", passwordHash });
 * ```
 */
export function createUser(
  db: Db,
  input: NewUser,
  now: number = Date.now(),
): User {
  const id = crypto.randomUUID();
  try {
    db.transaction(() => {
      db.prepare(
        `INSERT INTO users (id, email, email_verified_at, username, password_hash, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      ).run(
        id,
        normalizeEmail(input.email),
        input.emailVerifiedAt ?? null,
        input.username.trim(),
        input.passwordHash ?? null,
        now,
        now,
      );
      db.prepare("INSERT INTO preferences (user_id, updated_at) VALUES (?, ?)")
        .run(id, now);
    });
  } catch (error) {
    const message = error instanceof Error ? error.message : "";
    if (message.includes("UNIQUE constraint failed: users.email")) {
      throw new DuplicateUserError("email");
    }
    if (message.includes("UNIQUE constraint failed: users.username")) {
      throw new DuplicateUserError("username");
    }
    throw error;
  }
  return getUserById(db, id)!;
}

/**
 * The user with this id, or null.
 *
 * @example
 * ```ts
 * import type { SessionRow } from "./sessions.ts";
 * import type { Db } from "./connection.ts";
 * declare const db: Db;
 * declare const session: SessionRow;
 * const user = getUserById(db, session.userId);
 * ```
 */
export function getUserById(db: Db, id: string): User | null {
  // Array rows: this runs on every authenticated request.
  const values = db.prepareArrays(USER_BY_ID).get(id) as
    | SQLOutputValue[]
    | undefined;
  return values === undefined ? null : userFromArray(values);
}

/**
 * The user with this e-mail address (any case), or null.
 *
 * @example
 * ```ts
 * import type { Db } from "./connection.ts";
 * declare const db: Db;
 * const user = getUserByEmail(db, "Ada@Example.com"); // finds ada@example.com
 * ```
 */
export function getUserByEmail(db: Db, email: string): User | null {
  return toUser(
    db.prepare(`SELECT ${USER_COLUMNS} FROM users WHERE email = ?`).get(
      normalizeEmail(email),
    ),
  );
}

/**
 * The user with this username (any case), or null.
 *
 * @example
 * ```ts
 * import type { Db } from "./connection.ts";
 * declare const db: Db;
 * const taken = getUserByUsername(db, "ada") !== null;
 * ```
 */
export function getUserByUsername(db: Db, username: string): User | null {
  return toUser(
    db.prepare(`SELECT ${USER_COLUMNS} FROM users WHERE username = ?`).get(
      username.trim(),
    ),
  );
}

/**
 * The user whose Stripe customer this is, or null (billing webhooks).
 *
 * @example
 * ```ts
 * import type { Db } from "./connection.ts";
 * declare const db: Db;
 * const user = getUserByStripeCustomerId(db, "cus_123");
 * ```
 */
export function getUserByStripeCustomerId(
  db: Db,
  customerId: string,
): User | null {
  return toUser(
    db.prepare(`SELECT ${USER_COLUMNS} FROM users WHERE stripe_customer_id = ?`)
      .get(customerId),
  );
}

/**
 * The stored password hash, or null (no such user, or no password).
 *
 * @example
 * ```ts
 * import type { Db } from "./connection.ts";
 * declare const db: Db;
 * declare const user: User;
 * const hash = getPasswordHash(db, user.id); // null for an OAuth-only account
 * ```
 */
export function getPasswordHash(db: Db, userId: string): string | null {
  const row = db.prepare("SELECT password_hash FROM users WHERE id = ?").get(
    userId,
  );
  return row?.password_hash == null ? null : String(row.password_hash);
}

/**
 * Sets (or, with null, removes) the password hash. Also used to store a
 * rehash when argon2 parameters change.
 *
 * @example
 * ```ts
 * import { hashPassword } from "../auth/password.ts";
 * import type { Db } from "./connection.ts";
 * declare const db: Db;
 * declare const user: User;
 * declare const newPassword: string;
 * updatePasswordHash(db, user.id, await hashPassword(newPassword));
 * ```
 */
export function updatePasswordHash(
  db: Db,
  userId: string,
  passwordHash: string | null,
  now: number = Date.now(),
): void {
  db.prepare("UPDATE users SET password_hash = ?, updated_at = ? WHERE id = ?")
    .run(passwordHash, now, userId);
}

/**
 * Marks the user's e-mail address verified.
 *
 * @example
 * ```ts
 * import type { Db } from "./connection.ts";
 * declare const db: Db;
 * declare const user: User;
 * markEmailVerified(db, user.id);
 * ```
 */
export function markEmailVerified(
  db: Db,
  userId: string,
  now: number = Date.now(),
): void {
  db.prepare(
    "UPDATE users SET email_verified_at = ?, updated_at = ? WHERE id = ?",
  )
    .run(now, now, userId);
}

/**
 * Sets the subscription tier and/or Stripe customer id (billing).
 *
 * @example
 * ```ts
 * import type { Db } from "./connection.ts";
 * declare const db: Db;
 * declare const user: User;
 * updateBilling(db, user.id, { stripeCustomerId: "cus_123" });
 * updateBilling(db, user.id, { subscriptionTier: "pro" });
 * ```
 */
export function updateBilling(
  db: Db,
  userId: string,
  fields: {
    subscriptionTier?: SubscriptionTier;
    stripeCustomerId?: string | null;
  },
  now: number = Date.now(),
): void {
  db.prepare(
    `UPDATE users SET
       subscription_tier = CASE WHEN ?1 THEN ?2 ELSE subscription_tier END,
       stripe_customer_id = CASE WHEN ?3 THEN ?4 ELSE stripe_customer_id END,
       updated_at = ?5
     WHERE id = ?6`,
  ).run(
    fields.subscriptionTier !== undefined ? 1 : 0,
    fields.subscriptionTier ?? null,
    fields.stripeCustomerId !== undefined ? 1 : 0,
    fields.stripeCustomerId ?? null,
    now,
    userId,
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
 * deleteUser(deps.db, user.id);
 * ```
 */
export function deleteUser(db: Db, userId: string): void {
  db.prepare("DELETE FROM users WHERE id = ?").run(userId);
}
