/**
 * How a validated session row is stored in the shared cache. The entry
 * carries the secret hash and every deadline input, because a cache hit is
 * checked exactly like a database row: a cache entry is never trusted as a
 * verdict, only as a copy of the row.
 *
 * @module
 */
import type { SessionRow } from "../db/sessions.ts";

/**
 * The cache key of a session.
 *
 * @example
 * ```ts
 * await cache.delete(cacheKey(session.id));
 * ```
 */
export function cacheKey(sessionId: string): string {
  return `session:${sessionId}`;
}

/**
 * The cache value of a row (JSON; the hash as a byte array).
 *
 * @example
 * ```ts
 * await cache.set(cacheKey(row.id), encodeCachedSession(row), 3600);
 * ```
 */
export function encodeCachedSession(row: SessionRow): string {
  return JSON.stringify({ ...row, secretHash: Array.from(row.secretHash) });
}

/**
 * The row in a cache value, or null for a miss or anything malformed or
 * belonging to another id (treated as a miss, so the database answers).
 *
 * @example
 * ```ts
 * const row = decodeCachedSession(await cache.get(cacheKey(id)), id);
 * ```
 */
export function decodeCachedSession(
  text: string | null,
  id: string,
): SessionRow | null {
  if (text === null) return null;
  try {
    const v = JSON.parse(text);
    const ok = v?.id === id && typeof v.userId === "string" &&
      Array.isArray(v.secretHash) && v.secretHash.length === 32 &&
      [v.createdAt, v.lastVerifiedAt, v.expiresAt].every(Number.isFinite) &&
      typeof v.twoFactorVerified === "boolean";
    if (!ok) return null;
    return {
      id,
      secretHash: Uint8Array.from(v.secretHash),
      userId: v.userId,
      createdAt: v.createdAt,
      lastVerifiedAt: v.lastVerifiedAt,
      expiresAt: v.expiresAt,
      twoFactorVerified: v.twoFactorVerified,
      ip: typeof v.ip === "string" ? v.ip : null,
      userAgent: typeof v.userAgent === "string" ? v.userAgent : null,
    };
  } catch {
    return null;
  }
}
