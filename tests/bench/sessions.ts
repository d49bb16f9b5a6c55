/**
 * Session validation cost in process: the same validation with the
 * in-process cache and with a real Redis, both on a real SQLite file.
 *
 * @module
 */
import {
  createSession,
  DEFAULT_SESSION_SETTINGS,
  validateSessionToken,
} from "../../lib/auth/session.ts";
import { createMemoryCache } from "../../lib/cache/memory.ts";
import { createRedisCache } from "../../lib/cache/redis.ts";
import type { Cache } from "../../lib/cache/cache.ts";
import { withTestDb } from "../../lib/db/testing.ts";
import { createUser } from "../../lib/db/users.ts";
import { startRedis } from "../helpers/redis.ts";

/** Microseconds per validation, median of rounds. */
export interface ValidationCost {
  memoryUs: number;
  redisUs: number;
}

/**
 * Measures `validateSessionToken` with each cache.
 *
 * @example
 * ```ts
 * const { memoryUs, redisUs } = await measureSessionValidation(5000);
 * ```
 */
export async function measureSessionValidation(
  iterations: number,
): Promise<ValidationCost> {
  const redis = await startRedis();
  try {
    return await withTestDb(async (db) => {
      const user = await createUser(db, {
        email: "bench@example.com",
        username: "bench",
      });
      const run = async (cache: Cache): Promise<number> => {
        const deps = { db, cache, settings: DEFAULT_SESSION_SETTINGS };
        const { token } = await createSession(deps, user.id, {
          userAgent: "bench",
        });
        const rounds: number[] = [];
        for (let round = 0; round < 5; round++) {
          const start = performance.now();
          for (let i = 0; i < iterations; i++) {
            if (
              (await validateSessionToken(deps, token, {
                userAgent: "bench",
              })) === null
            ) {
              throw new Error("validation failed during the benchmark");
            }
          }
          rounds.push(((performance.now() - start) * 1000) / iterations);
        }
        await cache.close();
        return rounds.sort((a, b) => a - b)[2];
      };
      const memoryUs = await run(createMemoryCache());
      const redisUs = await run(await createRedisCache(redis.url));
      return { memoryUs, redisUs };
    });
  } finally {
    await redis.stop();
  }
}
