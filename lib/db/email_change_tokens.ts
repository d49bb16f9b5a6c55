/**
 * Email change tokens (migration 0004): `confirm` tokens sent to a new
 * address (the change applies when one is used) and `undo` tokens sent to
 * the old address once it applied (using one puts the old address back).
 * Each row names both addresses, so a token acts only while the account is
 * in the state it was made for. Single use: taken (deleted and returned)
 * by the transaction that acts on it.
 *
 * @module
 */
import type { Queryable } from "./db.ts";

/** What a token is for. */
export type EmailChangePurpose = "confirm" | "undo";

/** A stored email change token (its hash is the key). Times are Unix ms. */
export interface EmailChangeToken {
  userId: string;
  purpose: EmailChangePurpose;
  oldEmail: string;
  newEmail: string;
  createdAt: number;
  expiresAt: number;
}

const COLUMNS =
  "user_id, purpose, old_email, new_email, created_at, expires_at";

function toToken(row: Record<string, unknown> | undefined) {
  if (row === undefined) return null;
  return {
    userId: String(row.user_id),
    purpose: String(row.purpose) as EmailChangePurpose,
    oldEmail: String(row.old_email),
    newEmail: String(row.new_email),
    createdAt: Number(row.created_at),
    expiresAt: Number(row.expires_at),
  };
}

/**
 * Stores a token's hash.
 *
 * @example
 * ```ts
 * import { newEmailToken } from "../auth/email_token.ts";
 * import type { Queryable } from "./db.ts";
 * declare const tx: Queryable;
 * const now = Date.now();
 * await insertEmailChangeToken(tx, newEmailToken().hash, {
 *   userId: "user-id",
 *   purpose: "confirm",
 *   oldEmail: "ada@example.com",
 *   newEmail: "ada@example.org",
 *   createdAt: now,
 *   expiresAt: now + 86_400_000,
 * });
 * ```
 */
export async function insertEmailChangeToken(
  db: Queryable,
  hash: Uint8Array,
  token: EmailChangeToken,
): Promise<void> {
  await db.run(
    `INSERT INTO email_change_tokens (token_hash, ${COLUMNS})
     VALUES (?, ?, ?, ?, ?, ?, ?)`,
    [
      hash,
      token.userId,
      token.purpose,
      token.oldEmail,
      token.newEmail,
      token.createdAt,
      token.expiresAt,
    ],
  );
}

/**
 * The `purpose` token with this hash, left in place (for the page that
 * asks the person to press the button), or null.
 *
 * @example
 * ```ts
 * import type { Queryable } from "./db.ts";
 * declare const db: Queryable;
 * declare const hash: Uint8Array;
 * const found = await findEmailChangeToken(db, hash, "undo");
 * ```
 */
export async function findEmailChangeToken(
  db: Queryable,
  hash: Uint8Array,
  purpose: EmailChangePurpose,
): Promise<EmailChangeToken | null> {
  return toToken(
    await db.get(
      `SELECT ${COLUMNS} FROM email_change_tokens
       WHERE token_hash = ? AND purpose = ?`,
      [hash, purpose],
    ),
  );
}

/**
 * Deletes the `purpose` token with this hash and returns it, or null: of
 * two requests racing with one token, one gets it. A token of the other
 * purpose is left alone (a confirm link cannot be used as an undo).
 *
 * @example
 * ```ts
 * import type { Queryable } from "./db.ts";
 * declare const tx: Queryable;
 * declare const hash: Uint8Array;
 * const token = await takeEmailChangeToken(tx, hash, "confirm");
 * ```
 */
export async function takeEmailChangeToken(
  db: Queryable,
  hash: Uint8Array,
  purpose: EmailChangePurpose,
): Promise<EmailChangeToken | null> {
  return toToken(
    await db.get(
      `DELETE FROM email_change_tokens WHERE token_hash = ? AND purpose = ?
       RETURNING ${COLUMNS}`,
      [hash, purpose],
    ),
  );
}

/**
 * Deletes an account's tokens, of one purpose or (without it) all; returns
 * how many.
 *
 * @example
 * ```ts
 * import type { Queryable } from "./db.ts";
 * declare const tx: Queryable;
 * await deleteUserEmailChangeTokens(tx, "user-id", "confirm");
 * ```
 */
export async function deleteUserEmailChangeTokens(
  db: Queryable,
  userId: string,
  purpose?: EmailChangePurpose,
): Promise<number> {
  const { changes } = purpose === undefined
    ? await db.run("DELETE FROM email_change_tokens WHERE user_id = ?", [
      userId,
    ])
    : await db.run(
      "DELETE FROM email_change_tokens WHERE user_id = ? AND purpose = ?",
      [userId, purpose],
    );
  return changes;
}
