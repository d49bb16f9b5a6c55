/**
 * The Redis cache, shared by every app instance.
 *
 * It keeps answering when Redis goes away: reads miss, writes are dropped,
 * rate limits are counted in process, deletions are remembered and replayed
 * once Redis is back (so a session revoked during the outage is not served
 * from Redis afterwards), and `status()` says "degraded". Commands fail
 * fast instead of queueing (offline queue off, short timeouts); node-redis
 * reconnects by itself with capped backoff.
 *
 * @module
 */

import type { EventEmitter } from "node:events";
import { createClient, ErrorReply, TimeoutError } from "redis";
import type { Cache, CacheStatus, RateLimitResult } from "./cache.ts";
import { checkRateLimitArgs, createMemoryCache } from "./memory.ts";
import { Subscriptions } from "./redis_pubsub.ts";
import {
  describeRedisUrl,
  RATE_LIMIT_LUA,
  sha1Hex,
  withTimeout,
} from "./redis_support.ts";

export { redactRedisUrl } from "./redis_support.ts";

/**
 * Options of {@linkcode createRedisCache}.
 *
 * @example
 * ```ts
 * const options: RedisCacheOptions = { startupTimeoutMs: 10_000, log: (m) => console.warn(m) };
 * ```
 */
export interface RedisCacheOptions {
  /** Longest wait for one command. Default 500 ms. */
  commandTimeoutMs?: number;
  /** Longest wait for one TCP connection attempt. Default 500 ms. */
  connectTimeoutMs?: number;
  /** Cap of the reconnection backoff. Default 2 000 ms. */
  maxReconnectDelayMs?: number;
  /** How long the first connection may take before start-up fails. Default 5 000 ms. */
  startupTimeoutMs?: number;
  /** Where connection changes are reported. Default `console.warn`. */
  log?: (message: string) => void;
}

/**
 * Connects to Redis and returns the shared cache. Rejects, with the URL's
 * password redacted, when no connection is made within `startupTimeoutMs`:
 * an operator who set `REDIS_URL` expects Redis to be used.
 *
 * @example
 * ```ts
 * const cache = await createRedisCache("redis://127.0.0.1:6379");
 * await cache.set("billing:cus_123", JSON.stringify({ tier: "pro" }), 3600);
 * console.log(cache.status()); // "ok"
 * await cache.close();
 * ```
 */
export async function createRedisCache(
  url: string,
  options: RedisCacheOptions = {},
): Promise<Cache> {
  const commandTimeout = options.commandTimeoutMs ?? 500;
  const maxDelay = options.maxReconnectDelayMs ?? 2_000;
  const startupTimeout = options.startupTimeoutMs ?? 5_000;
  const { where, scrub } = describeRedisUrl(url);
  const log = options.log ?? ((m: string) => console.warn(m));
  const started = Date.now();

  // One per connection: before its first success, give up after the
  // start-up timeout; afterwards, retry for ever with capped backoff.
  function socketOptions(name: string) {
    let everReady = false;
    return {
      connectTimeout: options.connectTimeoutMs ?? 500,
      reconnectStrategy: (retries: number, cause: Error) => {
        if (!everReady && Date.now() - started >= startupTimeout) {
          return new Error(
            `cannot connect to Redis at ${where} (${name}) within ${startupTimeout} ms: ${
              scrub(cause)
            }`,
          );
        }
        return Math.min(50 * 2 ** Math.min(retries, 10), maxDelay);
      },
      markReady: () => everReady = true,
    };
  }
  const { markReady: mainReady, ...mainSocketOptions } = socketOptions(
    "commands",
  );
  const { markReady: subReady, ...subSocketOptions } = socketOptions(
    "subscriber",
  );

  const client = createClient({
    url,
    disableOfflineQueue: true,
    commandOptions: { timeout: commandTimeout },
    socket: mainSocketOptions,
  });
  const subscriber = client.duplicate({ socket: subSocketOptions });

  const fallback = createMemoryCache();
  const pendingDeletes = new Set<string>();
  const subscriptions = new Subscriptions(subscriber, commandTimeout);
  const sha = await sha1Hex(RATE_LIMIT_LUA);
  // After a timeout (a hung server, not a closed socket), skip Redis for a
  // moment so that every call does not wait the full timeout.
  let suspendedUntil = 0;
  let startedUp = false;
  let lost = false;
  let closed = false;
  let replayTimer: ReturnType<typeof setTimeout> | undefined;

  // node-redis' own timeout stops at the write; a hung server would keep
  // the caller waiting for the reply.
  const run = <T>(p: Promise<T>) => withTimeout(p, commandTimeout);
  const up = () => client.isReady && Date.now() >= suspendedUntil;
  const failed = (e: unknown) => {
    if (e instanceof TimeoutError) suspendedUntil = Date.now() + 1_000;
  };

  const onError = (e: unknown) => {
    // Start-up failures are reported once, by the rejected promise.
    if (closed || lost || !startedUp) return;
    lost = true;
    log(
      `cache: Redis at ${where} unreachable (${
        scrub(e)
      }); running degraded until it returns`,
    );
  };
  // node-redis' EventEmitter typings do not reach Deno's checker.
  const events = (c: unknown) => c as EventEmitter;
  events(client).on("error", onError);
  events(subscriber).on("error", onError);
  events(client).on("ready", () => {
    mainReady();
    suspendedUntil = 0;
    if (lost && subscriber.isReady) {
      lost = false;
      log(`cache: Redis at ${where} is back`);
    }
    void replayDeletes();
  });
  events(subscriber).on("ready", () => {
    subReady();
    if (lost && client.isReady) {
      lost = false;
      log(`cache: Redis at ${where} is back`);
    }
    subscriptions.onReady();
  });

  async function replayDeletes(): Promise<void> {
    while (pendingDeletes.size > 0 && up() && !closed) {
      const batch = [...pendingDeletes].slice(0, 500);
      try {
        await run(client.del(batch));
        for (const k of batch) pendingDeletes.delete(k);
      } catch (e) {
        failed(e);
        // The ready event will not fire again if the socket stayed up.
        if (replayTimer === undefined && !closed) {
          const t = setTimeout(() => {
            replayTimer = undefined;
            void replayDeletes();
          }, 1_000);
          Deno.unrefTimer(t);
          replayTimer = t;
        }
        return;
      }
    }
  }

  async function del(keys: string[]): Promise<void> {
    if (keys.length === 0) return;
    if (up() && pendingDeletes.size === 0) {
      try {
        await run(client.del(keys));
        return;
      } catch (e) {
        failed(e);
      }
    }
    // Remembered even when Redis seems up but older deletions are still
    // queued, so that the order of deletions does not matter.
    for (const k of keys) pendingDeletes.add(k);
    void replayDeletes();
  }

  try {
    await Promise.all([client.connect(), subscriber.connect()]);
  } catch (e) {
    closed = true;
    for (const c of [client, subscriber]) if (c.isOpen) c.destroy();
    await fallback.close();
    const m = scrub(e);
    throw new Error(
      m.startsWith("cannot connect")
        ? m
        : `cannot connect to Redis at ${where}: ${m}`,
    );
  }
  startedUp = true;

  return {
    async get(key) {
      if (pendingDeletes.has(key) || !up()) return null;
      try {
        return await run(client.get(key));
      } catch (e) {
        failed(e);
        return null;
      }
    },

    async set(key, value, ttlSeconds) {
      if (!(ttlSeconds > 0)) {
        throw new RangeError(`ttlSeconds must be > 0 (got ${ttlSeconds})`);
      }
      if (!up()) return;
      try {
        await run(
          client.set(key, value, {
            expiration: { type: "PX", value: Math.ceil(ttlSeconds * 1000) },
          }),
        );
      } catch (e) {
        failed(e);
      }
    },

    delete: (...keys) => del(keys),

    async rateLimit(key, limit, windowMs): Promise<RateLimitResult> {
      checkRateLimitArgs(limit, windowMs);
      if (!up()) return fallback.rateLimit(key, limit, windowMs);
      const args = {
        keys: [key],
        arguments: [String(limit), String(windowMs)],
      };
      try {
        let reply: unknown;
        try {
          reply = await run(client.evalSha(sha, args));
        } catch (e) {
          if (!(e instanceof ErrorReply && e.message.startsWith("NOSCRIPT"))) {
            throw e;
          }
          reply = await run(client.eval(RATE_LIMIT_LUA, args));
        }
        const [allowed, remaining, retryAfterMs] = reply as [
          number,
          number,
          number,
        ];
        return { allowed: allowed === 1, remaining, retryAfterMs };
      } catch (e) {
        failed(e);
        return fallback.rateLimit(key, limit, windowMs);
      }
    },

    async resetRateLimit(key) {
      await fallback.resetRateLimit(key);
      await del([key]);
    },

    async publish(channel, message) {
      if (up()) {
        try {
          await run(client.publish(channel, message));
          return;
        } catch (e) {
          failed(e);
        }
      }
      // Other instances cannot be told, but this one's subscribers can.
      subscriptions.deliverLocally(channel, message);
    },

    subscribe: (channel, onMessage) =>
      subscriptions.subscribe(channel, onMessage),

    status(): CacheStatus {
      const ok = up() && subscriber.isReady && pendingDeletes.size === 0 &&
        !closed;
      return ok ? "ok" : "degraded";
    },

    async close() {
      if (closed) return;
      closed = true;
      clearTimeout(replayTimer);
      subscriptions.clear();
      await fallback.close();
      await Promise.all([client, subscriber].map((c) => {
        if (!c.isOpen) return;
        if (!c.isReady) return c.destroy();
        return withTimeout(c.close(), commandTimeout).catch(() => c.destroy());
      }));
    },
  };
}
