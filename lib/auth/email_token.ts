/**
 * Single-use tokens sent by email (address verification, password reset,
 * email change and its undo; one module for all of them):
 * 32 bytes from `crypto.getRandomValues` (256 bits), base64url in the link,
 * and only their SHA-256 in the database, so a leaked table or backup
 * holds no usable link. A token is found by the hash (an index lookup: no
 * comparison of secret material to time), checked for expiry and for the
 * account it belongs to, and deleted in the caller's transaction together
 * with the change it allows: used once, or not at all.
 *
 * The hash is of the token's text, not of its decoded bytes: base64url of
 * 32 bytes leaves two spare bits in the last character, so four spellings
 * decode to the same bytes; hashing the text makes exactly one of them
 * valid, and a changed character is always a different token.
 *
 * Tables whose rows carry more than an owner and an address (the email
 * change's purpose and both addresses) keep their own queries in lib/db
 * and use {@linkcode newEmailToken} and {@linkcode emailTokenHash} here,
 * so every token follows the same rules.
 *
 * @module
 */
import { createHash } from "node:crypto";
import { encodeBase64urlNoPadding } from "@oslojs/encoding";
import type { Queryable } from "../db/db.ts";

/** Random bytes of a token: 256 bits. */
export const EMAIL_TOKEN_BYTES = 32;
/** Characters of a token in a link: base64url of 32 bytes, no padding. */
export const EMAIL_TOKEN_LENGTH = 43;
const TOKEN_RE = /^[A-Za-z0-9_-]{43}$/;

/**
 * Where one kind of token lives. The tables come from the migrations; a
 * table whose tokens are bound to an address has an `email` column.
 */
export interface TokenStore {
  /** The table: `token_hash`, `user_id`, `created_at`, `expires_at`, and `email` when bound. */
  readonly table: string;
  /** Whether each token names the address it was sent to. */
  readonly bindsEmail: boolean;
}

/** Tokens that prove an address receives mail (valid 24 hours). */
export const VERIFY_EMAIL_TOKENS: TokenStore = Object.freeze({
  table: "email_verification_tokens",
  bindsEmail: true,
});

/** Tokens that let a password be set again. */
export const PASSWORD_RESET_TOKENS: TokenStore = Object.freeze({
  table: "password_reset_tokens",
  bindsEmail: false,
});

/** Who a token is for. */
export interface TokenOwner {
  userId: string;
  /** The address it was sent to; required by stores that bind one. */
  email?: string;
}

/** A token that was found, unexpired, for the expected account. */
export interface UsedToken {
  ok: true;
  userId: string;
  /** The address it was sent to (null for stores that bind none). */
  email: string | null;
  createdAt: number;
}

/**
 * Why a token was refused. `unknown`: never issued, tampered with, already
 * used (tokens are deleted when used, so used and forged look alike), or
 * malformed. `expired`: past its time. `other_account`: issued to an
 * account other than the one asking.
 */
export type TokenRefusal = "unknown" | "expired" | "other_account";

/** What {@linkcode consumeEmailToken} found. */
export type TokenUse = UsedToken | { ok: false; reason: TokenRefusal };

/**
 * A new random token (not stored; see {@linkcode issueEmailToken}).
 *
 * @example
 * ```ts
 * const token = generateEmailToken(); // 43 base64url characters
 * ```
 */
export function generateEmailToken(): string {
  return encodeBase64urlNoPadding(
    crypto.getRandomValues(new Uint8Array(EMAIL_TOKEN_BYTES)),
  );
}

/**
 * Whether `value` has the exact shape of a token: checked before any
 * hashing or lookup, so anything else costs nothing.
 *
 * @example
 * ```ts
 * isEmailTokenShape(generateEmailToken()); // true
 * isEmailTokenShape("../../etc/passwd");   // false
 * ```
 */
export function isEmailTokenShape(value: unknown): value is string {
  return typeof value === "string" && value.length === EMAIL_TOKEN_LENGTH &&
    TOKEN_RE.test(value);
}

/**
 * SHA-256 of the token's text: what the database stores.
 *
 * @example
 * ```ts
 * hashEmailToken(generateEmailToken()).length; // 32
 * ```
 */
export function hashEmailToken(token: string): Uint8Array {
  return new Uint8Array(createHash("sha256").update(token).digest());
}

/** A new token: the text for the link and the hash to store. */
export interface NewEmailToken {
  /** Goes in the link, once; never stored or logged. */
  token: string;
  /** SHA-256 of `token`, the database key. */
  hash: Uint8Array;
}

/**
 * A new random token with its hash, for tables with queries of their own
 * (store `hash`, mail `token`).
 *
 * @example
 * ```ts
 * const { token, hash } = newEmailToken();
 * token.length; // 43
 * hash.length; // 32
 * ```
 */
export function newEmailToken(): NewEmailToken {
  const token = generateEmailToken();
  return { token, hash: hashEmailToken(token) };
}

/**
 * The stored hash of a token from a link or a form, or null when the value
 * cannot be a token (wrong type, length or alphabet): such input is
 * refused before any query.
 *
 * @example
 * ```ts
 * const { token, hash } = newEmailToken();
 * emailTokenHash(token); // the same bytes as hash
 * emailTokenHash("not a token"); // null
 * ```
 */
export function emailTokenHash(value: unknown): Uint8Array | null {
  return isEmailTokenShape(value) ? hashEmailToken(value) : null;
}

/**
 * Stores a new token for `owner`, valid for `ttlMs`, and returns it (the
 * only time it exists in clear: put it in the email, nowhere else). Pass
 * the transaction that queues the email, so the two commit together.
 *
 * @example
 * ```ts
 * import type { Queryable } from "../db/db.ts";
 * declare const tx: Queryable;
 * const token = await issueEmailToken(tx, VERIFY_EMAIL_TOKENS, {
 *   userId: "6f1c…",
 *   email: "ada@example.com",
 * }, 24 * 3_600_000);
 * ```
 */
export async function issueEmailToken(
  db: Queryable,
  store: TokenStore,
  owner: TokenOwner,
  ttlMs: number,
  now: number = Date.now(),
): Promise<string> {
  if (store.bindsEmail && owner.email === undefined) {
    throw new TypeError(`${store.table} tokens are bound to an address`);
  }
  const token = generateEmailToken();
  const hash = hashEmailToken(token);
  if (store.bindsEmail) {
    await db.run(
      `INSERT INTO ${store.table} (token_hash, user_id, email, created_at, expires_at)
       VALUES (?, ?, ?, ?, ?)`,
      [hash, owner.userId, owner.email!, now, now + ttlMs],
    );
  } else {
    await db.run(
      `INSERT INTO ${store.table} (token_hash, user_id, created_at, expires_at)
       VALUES (?, ?, ?, ?)`,
      [hash, owner.userId, now, now + ttlMs],
    );
  }
  return token;
}

/** Options of {@linkcode consumeEmailToken}. */
export interface ConsumeOptions {
  /**
   * The account that may use the token (the signed-in one), or undefined
   * when anyone holding the link may (it was sent to the owner's inbox).
   */
  userId?: string;
  now?: number;
}

/**
 * Checks the token and deletes it: the one use it gets. Run it inside the
 * transaction that makes the change the token allows, so a failure later
 * in that transaction puts the token back. A refused token is left as it
 * was (nothing is written).
 *
 * The check and the delete are one statement (`DELETE … WHERE` the token
 * is unexpired and the account's, `RETURNING` it): two requests with the
 * same token at once cannot both pass a check before either deletes; one
 * deletes the row, the other finds nothing to delete. Only a refusal
 * looks again, to say why.
 *
 * @example
 * ```ts
 * import type { Db } from "../db/db.ts";
 * declare const db: Db;
 * declare const token: string;
 * const outcome = await db.transaction(async (tx) => {
 *   const used = await consumeEmailToken(tx, VERIFY_EMAIL_TOKENS, token);
 *   if (!used.ok) return used.reason; // "unknown" | "expired" | "other_account"
 *   // … the change, through tx …
 *   return "done";
 * });
 * ```
 */
export async function consumeEmailToken(
  db: Queryable,
  store: TokenStore,
  token: unknown,
  options: ConsumeOptions = {},
): Promise<TokenUse> {
  if (!isEmailTokenShape(token)) return { ok: false, reason: "unknown" };
  const now = options.now ?? Date.now();
  const hash = hashEmailToken(token);
  const email = store.bindsEmail ? "email" : "NULL AS email";
  const forUser = options.userId === undefined ? "" : " AND user_id = ?";
  const used = await db.get(
    `DELETE FROM ${store.table}
     WHERE token_hash = ? AND expires_at > ?${forUser}
     RETURNING user_id, ${email}, created_at`,
    options.userId === undefined ? [hash, now] : [hash, now, options.userId],
  );
  if (used !== undefined) {
    return {
      ok: true,
      userId: String(used.user_id),
      email: used.email === null ? null : String(used.email),
      createdAt: Number(used.created_at),
    };
  }
  const row = await db.get(
    `SELECT user_id, expires_at FROM ${store.table} WHERE token_hash = ?`,
    [hash],
  );
  if (row === undefined) return { ok: false, reason: "unknown" };
  if (Number(row.expires_at) <= now) return { ok: false, reason: "expired" };
  return { ok: false, reason: "other_account" };
}

/**
 * Deletes every token of a user in `store` (after the address is
 * verified, or the password changed): links already sent stop working.
 * Returns how many were deleted.
 *
 * @example
 * ```ts
 * import type { Queryable } from "../db/db.ts";
 * declare const tx: Queryable;
 * await deleteEmailTokens(tx, PASSWORD_RESET_TOKENS, "6f1c…");
 * ```
 */
export async function deleteEmailTokens(
  db: Queryable,
  store: TokenStore,
  userId: string,
): Promise<number> {
  const { changes } = await db.run(
    `DELETE FROM ${store.table} WHERE user_id = ?`,
    [userId],
  );
  return changes;
}
