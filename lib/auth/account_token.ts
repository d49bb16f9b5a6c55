/**
 * The single-use tokens of emailed links (password reset, email change and
 * its undo): 32 random bytes from `crypto.getRandomValues`, base64url in
 * the link, and only their SHA-256 stored, so a copy of the database opens
 * no account. A token is found by its hash (an index lookup on a value an
 * attacker cannot steer), used once (deleted by the transaction that acts
 * on it) and refused after its expiry.
 *
 * Written for issue 9's reset and email-change flows beside
 * `email_token.ts` (verification); the two follow the same rules and can
 * become one module.
 *
 * @module
 */
import { createHash } from "node:crypto";
import { encodeBase64urlNoPadding } from "@oslojs/encoding";

/** Random bytes of a token: 256 bits. */
export const TOKEN_BYTES = 32;
// base64url without padding of 32 bytes: 43 characters.
const TOKEN_RE = /^[A-Za-z0-9_-]{43}$/;

/** A new token: the text for the link and the hash to store. */
export interface IssuedToken {
  /** Goes in the link, once; never stored or logged. */
  token: string;
  /** SHA-256 of `token`, the database key. */
  hash: Uint8Array;
}

/**
 * A fresh token.
 *
 * @example
 * ```ts
 * const { token, hash } = issueToken();
 * token.length; // 43
 * hash.length; // 32
 * ```
 */
export function issueToken(): IssuedToken {
  const bytes = crypto.getRandomValues(new Uint8Array(TOKEN_BYTES));
  const token = encodeBase64urlNoPadding(bytes);
  return { token, hash: digest(token) };
}

/**
 * The stored hash of a token from a link or a form, or null when the text
 * cannot be one of ours (wrong length or alphabet): such input is refused
 * before any query.
 *
 * @example
 * ```ts
 * const { token, hash } = issueToken();
 * tokenHash(token); // equal bytes to hash
 * tokenHash("not a token"); // null
 * ```
 */
export function tokenHash(token: unknown): Uint8Array | null {
  if (typeof token !== "string" || !TOKEN_RE.test(token)) return null;
  return digest(token);
}

function digest(token: string): Uint8Array {
  return new Uint8Array(createHash("sha256").update(token).digest());
}
