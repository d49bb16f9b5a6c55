/**
 * OAuth identity links: which provider account belongs to which user, and
 * how it is named (`label`, migration 0009).
 *
 * The last-method rule (an account with no password keeps its last link)
 * is enforced here, in {@linkcode unlinkOAuthAccount}, under a lock on the
 * user's row: two unlinks of an account's two links racing on PostgreSQL
 * (READ COMMITTED) would otherwise each count two links in their own
 * snapshot and both delete, leaving no way to sign in. A single
 * conditional DELETE has that same hole, so the rule is read and applied
 * inside one transaction that holds `SELECT … FOR UPDATE` on the user.
 * SQLite needs no lock: its transactions (`BEGIN IMMEDIATE`) already run
 * one at a time.
 *
 * @module
 */
import { bool, dialect, type Queryable, UniqueViolationError } from "./db.ts";
import { toUser, type User, USER_COLUMNS } from "./users.ts";

/** OAuth providers, as the `oauth_accounts.provider` CHECK allows. */
export type OAuthProvider = "github" | "google" | "oidc";

/** One stored link, as settings and the account rules see it. */
export interface LinkedIdentity {
  /** `oauth_accounts.id`, as a string (it is a URL and form value). */
  id: string;
  provider: OAuthProvider;
  providerUserId: string;
  /** The login or email it was shown as when linked; null for old links. */
  label: string | null;
  /** When it was linked (Unix ms). */
  createdAt: number;
}

/** Thrown by {@linkcode linkOAuthAccount} when the identity is linked already (to anyone). */
export class OAuthAccountTakenError extends Error {
  constructor() {
    super("This OAuth identity is already linked to an account");
    this.name = "OAuthAccountTakenError";
  }
}

/** Longest label stored, in characters: a login or an address fits easily. */
export const MAX_LABEL_LENGTH = 200;

const LINK_COLUMNS = "id, provider, provider_user_id, label, created_at";

function toLink(row: Record<string, unknown>): LinkedIdentity {
  return {
    id: String(row.id),
    provider: String(row.provider) as OAuthProvider,
    providerUserId: String(row.provider_user_id),
    label: row.label == null ? null : String(row.label),
    createdAt: Number(row.created_at),
  };
}

// Control characters (a line break in an email's text) and the
// invisible direction marks that can make "evil" read as "live" are
// provider data, not part of a name: dropped. Cut at whole code points,
// so a cut never leaves half a surrogate pair.
const UNSAFE = /[\p{Cc}\u200e\u200f\u202a-\u202e\u2066-\u2069]+/gu;

function cleanLabel(label: string | null | undefined): string | null {
  const trimmed = (label ?? "").replace(UNSAFE, " ").replace(/\s+/g, " ")
    .trim();
  if (trimmed === "") return null;
  return Array.from(trimmed).slice(0, MAX_LABEL_LENGTH).join("");
}

/**
 * The user linked to this OAuth identity, or null.
 *
 * @example
 * ```ts
 * import type { Queryable } from "./db.ts";
 * declare const db: Queryable;
 * declare const githubUser: { id: number; login: string };
 * const user = await getUserByOAuthAccount(db, "github", String(githubUser.id));
 * ```
 */
export async function getUserByOAuthAccount(
  db: Queryable,
  provider: OAuthProvider,
  providerUserId: string,
): Promise<User | null> {
  return toUser(
    await db.get(
      `SELECT ${USER_COLUMNS} FROM users WHERE id = (
         SELECT user_id FROM oauth_accounts WHERE provider = ? AND provider_user_id = ?)`,
      [provider, providerUserId],
    ),
  );
}

/**
 * Links an OAuth identity to a user and returns the link. Throws
 * {@linkcode OAuthAccountTakenError} when the identity is linked already
 * (to this user or another); inside a transaction the refusal is a
 * savepoint's, so the caller's transaction can go on.
 *
 * @example
 * ```ts
 * import type { Queryable } from "./db.ts";
 * import type { User } from "./users.ts";
 * declare const db: Queryable;
 * declare const user: User;
 * declare const claims: { sub: string; email: string };
 * await linkOAuthAccount(db, user.id, "google", claims.sub, { label: claims.email });
 * ```
 */
export async function linkOAuthAccount(
  db: Queryable,
  userId: string,
  provider: OAuthProvider,
  providerUserId: string,
  options: { label?: string | null; now?: number } = {},
): Promise<LinkedIdentity> {
  const now = options.now ?? Date.now();
  try {
    const row = await db.transaction((tx) =>
      tx.get(
        `INSERT INTO oauth_accounts (provider, provider_user_id, user_id, created_at, label)
         VALUES (?, ?, ?, ?, ?) RETURNING ${LINK_COLUMNS}`,
        [provider, providerUserId, userId, now, cleanLabel(options.label)],
      )
    );
    return toLink(row!);
  } catch (error) {
    if (
      error instanceof UniqueViolationError &&
      error.target.startsWith("oauth_accounts.provider")
    ) throw new OAuthAccountTakenError();
    throw error;
  }
}

/**
 * Who this identity is linked to (the link's id and its user), or null.
 *
 * @example
 * ```ts
 * import type { Queryable } from "./db.ts";
 * declare const db: Queryable;
 * const found = await findOAuthLink(db, "github", "583231");
 * if (found) console.log(found.userId);
 * ```
 */
export async function findOAuthLink(
  db: Queryable,
  provider: OAuthProvider,
  providerUserId: string,
): Promise<{ id: string; userId: string } | null> {
  const row = await db.get(
    "SELECT id, user_id FROM oauth_accounts WHERE provider = ? AND provider_user_id = ?",
    [provider, providerUserId],
  );
  return row === undefined
    ? null
    : { id: String(row.id), userId: String(row.user_id) };
}

/**
 * A user's links, oldest first.
 *
 * @example
 * ```ts
 * import type { Queryable } from "./db.ts";
 * declare const db: Queryable;
 * for (const link of await listOAuthAccounts(db, "user-id")) {
 *   console.log(link.provider, link.label ?? link.providerUserId);
 * }
 * ```
 */
export async function listOAuthAccounts(
  db: Queryable,
  userId: string,
): Promise<LinkedIdentity[]> {
  const rows = await db.all(
    `SELECT ${LINK_COLUMNS} FROM oauth_accounts WHERE user_id = ? ORDER BY created_at, id`,
    [userId],
  );
  return rows.map(toLink);
}

/**
 * Inside a transaction: takes the lock that orders every change of the
 * user's ways to sign in (the user's row, `FOR UPDATE`, on PostgreSQL;
 * SQLite's transactions are already one at a time) and says whether the
 * user has a password; null when the user is gone.
 *
 * @example
 * ```ts
 * import type { Db } from "./db.ts";
 * declare const db: Db;
 * await db.transaction(async (tx) => {
 *   const locked = await lockSignInMethods(tx, "user-id");
 *   if (locked === null) return;
 *   // … read and change the user's links, no one else can meanwhile …
 * });
 * ```
 */
export async function lockSignInMethods(
  tx: Queryable,
  userId: string,
): Promise<{ hasPassword: boolean } | null> {
  const row = await tx.get(
    dialect(tx, {
      sqlite:
        "SELECT password_hash IS NOT NULL AS has_password FROM users WHERE id = ?",
      postgres:
        "SELECT password_hash IS NOT NULL AS has_password FROM users WHERE id = ? FOR UPDATE",
    }),
    [userId],
  );
  if (row === undefined) return null;
  return { hasPassword: bool(row.has_password) };
}

/** Outcome of {@linkcode unlinkOAuthAccount}. */
export type UnlinkOutcome =
  | { ok: true; link: LinkedIdentity }
  | { ok: false; reason: "not_found" | "last_method" };

// Ids are BIGINT identities: anything else (or too long to be one) is no
// link, answered as such rather than as a database error.
const LINK_ID = /^[1-9][0-9]{0,14}$/;

/**
 * Removes link `linkId` of `userId`, unless it is the account's last way
 * to sign in (no password and no other link): `last_method`. A link that
 * is not the user's, or is gone, or an id that is not one, is
 * `not_found`. Safe against racing unlinks (see the module comment).
 *
 * @example
 * ```ts
 * import type { Queryable } from "./db.ts";
 * declare const db: Queryable;
 * const outcome = await unlinkOAuthAccount(db, "user-id", "12");
 * if (!outcome.ok && outcome.reason === "last_method") console.log("Set a password first");
 * ```
 */
export async function unlinkOAuthAccount(
  db: Queryable,
  userId: string,
  linkId: string,
): Promise<UnlinkOutcome> {
  if (!LINK_ID.test(linkId)) return { ok: false, reason: "not_found" };
  return await db.transaction(async (tx): Promise<UnlinkOutcome> => {
    const locked = await lockSignInMethods(tx, userId);
    if (locked === null) return { ok: false, reason: "not_found" };
    const links = await listOAuthAccounts(tx, userId);
    const link = links.find((l) => l.id === linkId);
    if (link === undefined) return { ok: false, reason: "not_found" };
    if (!locked.hasPassword && links.length === 1) {
      return { ok: false, reason: "last_method" };
    }
    await tx.run("DELETE FROM oauth_accounts WHERE id = ? AND user_id = ?", [
      Number(linkId),
      userId,
    ]);
    return { ok: true, link };
  });
}

/**
 * Removes every link of `userId` and returns them, oldest first (the
 * password reset of an account whose address was never confirmed: see
 * `lib/auth/password_reset.ts`).
 *
 * @example
 * ```ts
 * import type { Queryable } from "./db.ts";
 * declare const tx: Queryable;
 * const dropped = await deleteOAuthAccounts(tx, "user-id");
 * ```
 */
export async function deleteOAuthAccounts(
  db: Queryable,
  userId: string,
): Promise<LinkedIdentity[]> {
  const rows = await db.all(
    `DELETE FROM oauth_accounts WHERE user_id = ? RETURNING ${LINK_COLUMNS}`,
    [userId],
  );
  return rows.map(toLink).sort((a, b) =>
    a.createdAt - b.createdAt || Number(a.id) - Number(b.id)
  );
}
