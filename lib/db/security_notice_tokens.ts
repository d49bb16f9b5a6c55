/**
 * Rows of `security_notice_tokens`: the single-use "this wasn't me" links
 * in security notices (see `lib/account/not_me.ts` for the rules). Only
 * the SHA-256 of a token is stored. Times are Unix milliseconds.
 *
 * @module
 */
import type { Queryable } from "./db.ts";

/** A stored token. */
export interface NoticeTokenRow {
  userId: string;
  /** The audit event the notice was about, e.g. "auth.sign_in". */
  event: string;
  createdAt: number;
  expiresAt: number;
}

/**
 * Stores a token's hash.
 *
 * @example
 * ```ts
 * import type { Queryable } from "./db.ts";
 * declare const tx: Queryable;
 * const tokenHash = new Uint8Array(32); // SHA-256 of the token
 * const now = Date.now();
 * await insertNoticeToken(tx, tokenHash, {
 *   userId: "user-id", event: "auth.sign_in", createdAt: now, expiresAt: now + 7 * 86_400_000,
 * });
 * ```
 */
export async function insertNoticeToken(
  db: Queryable,
  tokenHash: Uint8Array,
  row: NoticeTokenRow,
): Promise<void> {
  await db.run(
    `INSERT INTO security_notice_tokens (token_hash, user_id, event, created_at, expires_at)
     VALUES (?, ?, ?, ?, ?)`,
    [tokenHash, row.userId, row.event, row.createdAt, row.expiresAt],
  );
}

/**
 * The token with this hash, or null (never issued, used, or its account
 * deleted). Expiry is the caller's check.
 *
 * @example
 * ```ts
 * import type { Queryable } from "./db.ts";
 * declare const db: Queryable;
 * declare const tokenHash: Uint8Array;
 * const row = await findNoticeToken(db, tokenHash);
 * ```
 */
export async function findNoticeToken(
  db: Queryable,
  tokenHash: Uint8Array,
): Promise<NoticeTokenRow | null> {
  const row = await db.get(
    `SELECT user_id, event, created_at, expires_at FROM security_notice_tokens
     WHERE token_hash = ?`,
    [tokenHash],
  );
  if (row === undefined) return null;
  return {
    userId: String(row.user_id),
    event: String(row.event),
    createdAt: Number(row.created_at),
    expiresAt: Number(row.expires_at),
  };
}

/**
 * Deletes the token with this hash and returns its row, or null when there
 * was none: of two requests racing with one token, exactly one gets the
 * row (the DELETE is the claim).
 *
 * @example
 * ```ts
 * import type { Queryable } from "./db.ts";
 * declare const tx: Queryable;
 * declare const tokenHash: Uint8Array;
 * const claimed = await takeNoticeToken(tx, tokenHash); // null the second time
 * ```
 */
export async function takeNoticeToken(
  db: Queryable,
  tokenHash: Uint8Array,
): Promise<NoticeTokenRow | null> {
  const row = await db.get(
    `DELETE FROM security_notice_tokens WHERE token_hash = ?
     RETURNING user_id, event, created_at, expires_at`,
    [tokenHash],
  );
  if (row === undefined) return null;
  return {
    userId: String(row.user_id),
    event: String(row.event),
    createdAt: Number(row.created_at),
    expiresAt: Number(row.expires_at),
  };
}

/**
 * Deletes every token of a user, expired ones included: once one is used,
 * the others have done their job (every session is already ended). Returns
 * how many went.
 *
 * @example
 * ```ts
 * import type { Queryable } from "./db.ts";
 * declare const tx: Queryable;
 * await deleteNoticeTokens(tx, "user-id");
 * ```
 */
export async function deleteNoticeTokens(
  db: Queryable,
  userId: string,
): Promise<number> {
  const { changes } = await db.run(
    "DELETE FROM security_notice_tokens WHERE user_id = ?",
    [userId],
  );
  return changes;
}
