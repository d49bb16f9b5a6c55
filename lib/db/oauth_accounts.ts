/**
 * OAuth identity links: which provider account belongs to which user.
 *
 * @module
 */
import type { Queryable } from "./db.ts";
import { toUser, type User, USER_COLUMNS } from "./users.ts";

/** OAuth providers, as the `oauth_accounts.provider` CHECK allows. */
export type OAuthProvider = "github" | "google" | "oidc";

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
 * Links an OAuth identity to a user (once; linking it again throws).
 *
 * @example
 * ```ts
 * import type { Queryable } from "./db.ts";
 * import type { User } from "./users.ts";
 * declare const db: Queryable;
 * declare const user: User;
 * declare const claims: { sub: string; email: string };
 * await linkOAuthAccount(db, user.id, "google", claims.sub);
 * ```
 */
export async function linkOAuthAccount(
  db: Queryable,
  userId: string,
  provider: OAuthProvider,
  providerUserId: string,
  now: number = Date.now(),
): Promise<void> {
  await db.run(
    "INSERT INTO oauth_accounts (provider, provider_user_id, user_id, created_at) VALUES (?, ?, ?, ?)",
    [provider, providerUserId, userId, now],
  );
}
