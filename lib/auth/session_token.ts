import { createHash, hash } from "node:crypto";
/**
 * Session token format: `<id>.<secret>`, both lowercase base32 (RFC 4648
 * alphabet, no padding) of `crypto.getRandomValues` bytes. The id (120
 * bits) is the database key and may appear in logs and cache keys; the
 * secret (256 bits) is never stored, only its SHA-256. Splitting the two
 * means a database or cache leak yields no usable token, and lookup by id
 * makes the secret comparison a single constant-time check instead of an
 * index search on secret material.
 *
 * @module
 */

const ALPHABET = "abcdefghijklmnopqrstuvwxyz234567";
/** Random bytes of the id: 120 bits, 24 base32 characters. */
export const ID_BYTES = 15;
/** Random bytes of the secret: 256 bits, 52 base32 characters. */
export const SECRET_BYTES = 32;
const ID_LENGTH = Math.ceil(ID_BYTES * 8 / 5);
const SECRET_LENGTH = Math.ceil(SECRET_BYTES * 8 / 5);
const TOKEN_RE = new RegExp(
  `^([a-z2-7]{${ID_LENGTH}})\\.([a-z2-7]{${SECRET_LENGTH}})$`,
);

/**
 * Lowercase base32 without padding.
 *
 * @example
 * ```ts
 * encodeBase32LowerNoPadding(new Uint8Array([0xff])); // "74"
 * ```
 */
export function encodeBase32LowerNoPadding(bytes: Uint8Array): string {
  let out = "";
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += ALPHABET[(buffer >> bits) & 31];
    }
    buffer &= (1 << bits) - 1; // keep only unread bits: no overflow
  }
  if (bits > 0) out += ALPHABET[(buffer << (5 - bits)) & 31];
  return out;
}

function randomBase32(byteCount: number): string {
  return encodeBase32LowerNoPadding(
    crypto.getRandomValues(new Uint8Array(byteCount)),
  );
}

/** A fresh token and its parts. */
export interface GeneratedToken {
  id: string;
  secret: string;
  /** `<id>.<secret>`, what the cookie carries. */
  token: string;
}

/**
 * A new random session token (not stored anywhere; see `createSession`).
 *
 * @example
 * ```ts
 * const { id, secret, token } = generateSessionToken();
 * ```
 */
export function generateSessionToken(): GeneratedToken {
  const id = randomBase32(ID_BYTES);
  const secret = randomBase32(SECRET_BYTES);
  return { id, secret, token: `${id}.${secret}` };
}

/**
 * Splits a token into id and secret; null for anything not exactly of the
 * generated shape (wrong type, length, charset, separators). Never throws.
 *
 * @example
 * ```ts
 * parseSessionToken("garbage"); // null
 * ```
 */
export function parseSessionToken(
  token: unknown,
): { id: string; secret: string } | null {
  // Length check first: the regex never sees attacker-sized input.
  if (
    typeof token !== "string" || token.length !== ID_LENGTH + 1 + SECRET_LENGTH
  ) return null;
  const match = TOKEN_RE.exec(token);
  return match === null ? null : { id: match[1], secret: match[2] };
}

/**
 * SHA-256 of the secret's UTF-8 bytes (what the database stores).
 *
 * @example
 * ```ts
 * const { secret } = generateSessionToken();
 * const secretHash = hashSecret(secret); // 32 bytes
 * ```
 */
export function hashSecret(secret: string): Uint8Array {
  // node:crypto hashes synchronously in native code: ~2 µs, where
  // crypto.subtle.digest costs ~40 µs per call in Deno (an async hop),
  // and this runs on every authenticated request.
  return new Uint8Array(createHash("sha256").update(secret).digest());
}

/**
 * SHA-256 of the secret's UTF-8 bytes as lowercase hex: the same digest as
 * {@linkcode hashSecret}, in the form the session cache stores. The
 * one-shot `hash()` with hex output is one native call (~0.9 µs against
 * ~2 µs for `createHash` plus a byte copy), on every authenticated request.
 *
 * @example
 * ```ts
 * const { secret } = generateSessionToken();
 * const hex = hashSecretHex(secret); // 64 lowercase hex characters
 * ```
 */
export function hashSecretHex(secret: string): string {
  return hash("sha256", secret, "hex");
}

/**
 * Compares two strings in time that depends only on their length (the
 * hex digests of {@linkcode hashSecretHex}), like
 * {@linkcode constantTimeEqual} for bytes.
 *
 * @example
 * ```ts
 * import type { CachedSessionRow } from "./session_cache.ts";
 * declare const secret: string;
 * declare const cached: CachedSessionRow;
 * constantTimeEqualHex(hashSecretHex(secret), cached.secretHashHex);
 * ```
 */
export function constantTimeEqualHex(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

/**
 * Compares two byte arrays in time that depends only on their length, so
 * timing reveals nothing about how many leading bytes matched.
 *
 * @example
 * ```ts
 * import type { SessionRow } from "../db/sessions.ts";
 * declare const secret: string;
 * declare const row: SessionRow;
 * constantTimeEqual(hashSecret(secret), row.secretHash);
 * ```
 */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i] ^ b[i];
  return diff === 0;
}
