/**
 * OAuth identity links: which provider account belongs to which user.
 *
 * @module
 */
import type { Db } from "./connection.ts";
import { toUser, type User, USER_COLUMNS } from "./users.ts";

/** OAuth providers, as the `oauth_accounts.provider` CHECK allows. */
export type OAuthProvider = "github" | "google" | "oidc";

/**
 * The user linked to this OAuth identity, or null.
 *
 * @example
 * ```ts
 * import type { Db } from "./connection.ts";
 * declare const db: Db;
 * declare const githubUser: { id: number; login: string };
 * const user = getUserByOAuthAccount(db, "github", String(githubUser.id));
 * ```
 */
export function getUserByOAuthAccount(
  db: Db,
  provider: OAuthProvider,
  providerUserId: string,
): User | null {
  return toUser(
    db.prepare(
      `SELECT ${USER_COLUMNS} FROM users WHERE id = (
         SELECT user_id FROM oauth_accounts WHERE provider = ? AND provider_user_id = ?)`,
    ).get(provider, providerUserId),
  );
}

/**
 * Links an OAuth identity to a user (once; linking it again throws).
 *
 * @example
 * ```ts
 * import type { Db } from "./connection.ts";
 * declare const db: Db;
 * import type { User } from "./users.ts";
 * declare const user: User;
 * declare const claims: { sub: string; email: string };
 * linkOAuthAccount(db, user.id, "google", claims.sub);
 * ```
 */
export function linkOAuthAccount(
  db: Db,
  userId: string,
  provider: OAuthProvider,
  providerUserId: string,
  now: number = Date.now(),
): void {
  db.prepare(
    "INSERT INTO oauth_accounts (provider, provider_user_id, user_id, created_at) VALUES (?, ?, ?, ?)",
  ).run(provider, providerUserId, userId, now);
}
