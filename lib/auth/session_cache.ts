/**
 * How a validated session row is stored in the shared cache. The entry
 * carries the secret hash and every deadline input, because a cache hit is
 * checked exactly like a database row: a cache entry is never trusted as a
 * verdict, only as a copy of the row.
 *
 * @module
 */
import { encodeHexLowerCase } from "@oslojs/encoding";
import type { SessionFields, SessionRow } from "../db/sessions.ts";

/**
 * The cache key of a session.
 *
 * @example
 * ```ts
 * import type { Cache } from "../cache/cache.ts";
 * declare const cache: Cache;
 * declare const sessionId: string;
 * await cache.delete(cacheKey(sessionId)); // "session:<id>"
 * ```
 */
export function cacheKey(sessionId: string): string {
  return `session:${sessionId}`;
}

/**
 * A session row as the session engine checks it: the secret hash as
 * lowercase hex (64 characters) rather than bytes, so a cache hit needs no
 * byte decoding and compares with `constantTimeEqualHex`.
 */
export interface CachedSessionRow extends SessionFields {
  /** Lowercase hex SHA-256 of the token's secret. */
  secretHashHex: string;
}

/**
 * A database row in the form the cache holds (the hash as hex).
 *
 * @example
 * ```ts
 * import { getSession } from "../db/sessions.ts";
 * import type { Db } from "../db/db.ts";
 * declare const db: Db;
 * const row = await getSession(db, "id");
 * if (row !== null) cachedRow(row).secretHashHex; // 64 hex characters
 * ```
 */
export function cachedRow(row: SessionRow): CachedSessionRow {
  const { secretHash, ...fields } = row;
  return { ...fields, secretHashHex: encodeHexLowerCase(secretHash) };
}

/**
 * The non-secret fields of a row, whichever form its hash is in.
 *
 * @example
 * ```ts
 * declare const row: CachedSessionRow;
 * "secretHashHex" in sessionFields(row); // false
 * ```
 */
export function sessionFields(
  row: SessionRow | CachedSessionRow,
): SessionFields {
  if ("secretHash" in row) {
    const { secretHash: _secret, ...fields } = row;
    return fields;
  }
  const { secretHashHex: _secret, ...fields } = row;
  return fields;
}

/**
 * The cache value of a row (JSON; the hash as hex). Entries of the former
 * format (the hash as a byte array) decode as misses, so a rolling deploy
 * only costs one database read per session.
 *
 * @example
 * ```ts
 * import type { Cache } from "../cache/cache.ts";
 * declare const cache: Cache;
 * declare const row: CachedSessionRow;
 * await cache.set(cacheKey(row.id), encodeCachedSession(row), 3600);
 * ```
 */
export function encodeCachedSession(row: CachedSessionRow): string {
  return JSON.stringify({
    ...sessionFields(row),
    secretHash: row.secretHashHex,
  });
}

/**
 * The row in a cache value, or null for a miss or anything malformed or
 * belonging to another id (treated as a miss, so the database answers).
 *
 * @example
 * ```ts
 * import type { Cache } from "../cache/cache.ts";
 * declare const cache: Cache;
 * declare const id: string;
 * const row = decodeCachedSession(await cache.get(cacheKey(id)), id); // null on a miss
 * ```
 */
export function decodeCachedSession(
  text: string | null,
  id: string,
): CachedSessionRow | null {
  if (text === null) return null;
  try {
    const v = JSON.parse(text);
    const ok = v?.id === id && typeof v.userId === "string" &&
      typeof v.secretHash === "string" && v.secretHash.length === 64 &&
      Number.isFinite(v.createdAt) && Number.isFinite(v.lastVerifiedAt) &&
      Number.isFinite(v.expiresAt) &&
      typeof v.twoFactorVerified === "boolean" &&
      typeof v.secondFactorPending === "boolean" &&
      Number.isFinite(v.authenticatedAt);
    if (!ok) return null;
    return {
      id,
      secretHashHex: v.secretHash,
      userId: v.userId,
      createdAt: v.createdAt,
      lastVerifiedAt: v.lastVerifiedAt,
      expiresAt: v.expiresAt,
      twoFactorVerified: v.twoFactorVerified,
      secondFactorPending: v.secondFactorPending,
      authenticatedAt: v.authenticatedAt,
      ip: typeof v.ip === "string" ? v.ip : null,
      userAgent: typeof v.userAgent === "string" ? v.userAgent : null,
    };
  } catch {
    return null;
  }
}
