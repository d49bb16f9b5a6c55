/**
 * Picks the cache for this process: Redis when `REDIS_URL` is set,
 * otherwise in process.
 *
 * @module
 */

import type { Cache } from "./cache.ts";
import { createMemoryCache } from "./memory.ts";
import { createRedisCache, type RedisCacheOptions } from "./redis.ts";

export type { Cache, CacheStatus, RateLimitResult } from "./cache.ts";
export { createMemoryCache } from "./memory.ts";
export { createRedisCache } from "./redis.ts";
export { redactRedisUrl } from "./redis_support.ts";

/**
 * Returns the Redis cache when `redisUrl` is set, the in-process cache
 * otherwise. When Redis cannot be reached at start-up this rejects instead
 * of quietly running in process: an operator who set `REDIS_URL` expects
 * shared rate limits and immediate revocation on every instance. (Once
 * started, a Redis outage degrades gracefully instead; see `redis.ts`.)
 *
 * @example
 * ```ts
 * import { loadConfig } from "../config.ts";
 * const cache = await createCache(loadConfig().redisUrl);
 * console.log(cache.status()); // "ok" with Redis, "in-process" without
 * ```
 */
export async function createCache(
  redisUrl: string | undefined,
  options?: RedisCacheOptions,
): Promise<Cache> {
  if (redisUrl === undefined || redisUrl.trim() === "") {
    return createMemoryCache();
  }
  try {
    return await createRedisCache(redisUrl.trim(), options);
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    throw new Error(
      `REDIS_URL is set but Redis is unreachable: ${why}. ` +
        "Start Redis, fix REDIS_URL, or unset it to use the in-process cache (one instance only).",
      { cause: e },
    );
  }
}
