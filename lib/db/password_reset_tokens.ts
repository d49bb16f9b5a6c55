/**
 * Password reset tokens: the SHA-256 of each emailed token, its account
 * and its deadline. Single use: a token is taken (deleted and returned) by
 * the transaction that sets the new password, which also deletes the rest
 * of the account's tokens.
 *
 * @module
 */
import type { Queryable } from "./db.ts";

/** A stored reset token (its hash is the key). Times are Unix ms. */
export interface PasswordResetToken {
  userId: string;
  createdAt: number;
  expiresAt: number;
}

function toToken(row: Record<string, unknown> | undefined) {
  if (row === undefined) return null;
  return {
    userId: String(row.user_id),
    createdAt: Number(row.created_at),
    expiresAt: Number(row.expires_at),
  };
}

/**
 * Stores a token's hash for `userId` until `expiresAt`.
 *
 * @example
 * ```ts
 * import { newEmailToken } from "../auth/email_token.ts";
 * import type { Queryable } from "./db.ts";
 * declare const tx: Queryable;
 * const { hash } = newEmailToken();
 * const now = Date.now();
 * await insertPasswordResetToken(tx, hash, { userId: "user-id", createdAt: now, expiresAt: now + 3_600_000 });
 * ```
 */
export async function insertPasswordResetToken(
  db: Queryable,
  hash: Uint8Array,
  token: PasswordResetToken,
): Promise<void> {
  await db.run(
    `INSERT INTO password_reset_tokens (token_hash, user_id, created_at, expires_at)
     VALUES (?, ?, ?, ?)`,
    [hash, token.userId, token.createdAt, token.expiresAt],
  );
}

/**
 * The token with this hash, left in place (to tell a person whether a link
 * still works before they type a new password), or null.
 *
 * @example
 * ```ts
 * import { emailTokenHash } from "../auth/email_token.ts";
 * import type { Queryable } from "./db.ts";
 * declare const db: Queryable;
 * declare const fromLink: string;
 * const hash = emailTokenHash(fromLink);
 * const found = hash === null ? null : await findPasswordResetToken(db, hash);
 * ```
 */
export async function findPasswordResetToken(
  db: Queryable,
  hash: Uint8Array,
): Promise<PasswordResetToken | null> {
  return toToken(
    await db.get(
      `SELECT user_id, created_at, expires_at FROM password_reset_tokens
       WHERE token_hash = ?`,
      [hash],
    ),
  );
}

/**
 * Deletes the token with this hash and returns what it was, or null when
 * there is none: of two requests racing with one token, one gets it.
 *
 * @example
 * ```ts
 * import type { Queryable } from "./db.ts";
 * declare const tx: Queryable;
 * declare const hash: Uint8Array;
 * const token = await takePasswordResetToken(tx, hash);
 * if (token === null || token.expiresAt <= Date.now()) console.log("refused");
 * ```
 */
export async function takePasswordResetToken(
  db: Queryable,
  hash: Uint8Array,
): Promise<PasswordResetToken | null> {
  return toToken(
    await db.get(
      `DELETE FROM password_reset_tokens WHERE token_hash = ?
       RETURNING user_id, created_at, expires_at`,
      [hash],
    ),
  );
}

/**
 * Deletes every reset token of an account (its password changed, or it
 * was reset); returns how many.
 *
 * @example
 * ```ts
 * import type { Queryable } from "./db.ts";
 * declare const tx: Queryable;
 * await deleteUserPasswordResetTokens(tx, "user-id");
 * ```
 */
export async function deleteUserPasswordResetTokens(
  db: Queryable,
  userId: string,
): Promise<number> {
  const { changes } = await db.run(
    "DELETE FROM password_reset_tokens WHERE user_id = ?",
    [userId],
  );
  return changes;
}
