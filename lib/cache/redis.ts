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
import { PendingDeletes } from "./redis_deletes.ts";
import { Subscriptions } from "./redis_pubsub.ts";
import {
  describeRedisUrl,
  RATE_LIMIT_LUA,
  reconnection,
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
  const cache = new RedisCache(url, options, await sha1Hex(RATE_LIMIT_LUA));
  await cache.connect();
  return cache;
}

type Client = ReturnType<typeof createClient>;

/**
 * Where the cache is in its life. "starting" until both connections are
 * made (failures are reported once, by the rejected start-up); "up" while
 * it serves; "lost" from the first connection error until both
 * connections are ready again; "closed" for good.
 */
type Phase = "starting" | "up" | "lost" | "closed";

// node-redis' EventEmitter typings do not reach Deno's checker.
const events = (c: unknown) => c as EventEmitter;

class RedisCache implements Cache {
  #phase: Phase = "starting";
  // After a timeout (a hung server, not a closed socket), Redis is skipped
  // until then, so that every call does not wait the full timeout.
  #suspendedUntil = 0;
  // Bumped on every loss and return of the subscriber connection: see
  // subscriptionEpoch().
  #epoch = 0;
  readonly #client: Client;
  readonly #subscriber: Client;
  readonly #fallback = createMemoryCache();
  readonly #pending: PendingDeletes;
  readonly #subscriptions: Subscriptions;
  readonly #timeoutMs: number;
  readonly #sha: string;
  readonly #where: string;
  readonly #scrub: (e: unknown) => string;
  readonly #log: (message: string) => void;

  constructor(url: string, options: RedisCacheOptions, sha: string) {
    this.#timeoutMs = options.commandTimeoutMs ?? 500;
    this.#sha = sha;
    ({ where: this.#where, scrub: this.#scrub } = describeRedisUrl(url));
    this.#log = options.log ?? ((m: string) => console.warn(m));
    const main = reconnection("commands", this.#where, this.#scrub, options);
    const sub = reconnection("subscriber", this.#where, this.#scrub, options);
    this.#client = createClient({
      url,
      disableOfflineQueue: true,
      commandOptions: { timeout: this.#timeoutMs },
      socket: main.socket,
    });
    this.#subscriber = this.#client.duplicate({ socket: sub.socket });
    this.#subscriptions = new Subscriptions(this.#subscriber, this.#timeoutMs);
    this.#pending = new PendingDeletes({
      canSend: () => this.#up() && this.#phase !== "closed",
      send: async (keys) => {
        await this.#run(this.#client.del(keys));
      },
    });

    const onError = (e: unknown) => this.#connectionLost(e);
    events(this.#client).on("error", onError);
    events(this.#subscriber).on("error", (e: unknown) => {
      this.#epoch++;
      onError(e);
    });
    events(this.#subscriber).on("end", () => this.#epoch++);
    events(this.#client).on("ready", () => {
      main.ready();
      this.#suspendedUntil = 0;
      this.#maybeBack();
      void this.#pending.replay();
    });
    events(this.#subscriber).on("ready", () => {
      // node-redis has re-subscribed by now; what was published while it
      // was away is lost, and the new epoch says so.
      this.#epoch++;
      sub.ready();
      this.#maybeBack();
      this.#subscriptions.onReady();
    });
  }

  /** Makes both connections, or fails start-up with one clear message. */
  async connect(): Promise<void> {
    try {
      await Promise.all([this.#client.connect(), this.#subscriber.connect()]);
    } catch (e) {
      this.#phase = "closed";
      this.#pending.stop();
      for (const c of [this.#client, this.#subscriber]) {
        if (c.isOpen) c.destroy();
      }
      await this.#fallback.close();
      const m = this.#scrub(e);
      throw new Error(
        m.startsWith("cannot connect")
          ? m
          : `cannot connect to Redis at ${this.#where}: ${m}`,
      );
    }
    this.#phase = "up";
  }

  #connectionLost(e: unknown): void {
    if (this.#phase !== "up") return;
    this.#phase = "lost";
    this.#log(
      `cache: Redis at ${this.#where} unreachable (${
        this.#scrub(e)
      }); running degraded until it returns`,
    );
  }

  #maybeBack(): void {
    if (
      this.#phase === "lost" && this.#client.isReady &&
      this.#subscriber.isReady
    ) {
      this.#phase = "up";
      this.#log(`cache: Redis at ${this.#where} is back`);
    }
  }

  #up(): boolean {
    return this.#client.isReady && Date.now() >= this.#suspendedUntil;
  }

  /**
   * One command, bounded in time (node-redis' own timeout stops at the
   * write; a hung server would keep the caller waiting for the reply). A
   * timeout suspends Redis for a second; the error is rethrown for the
   * caller's fallback.
   */
  async #run<T>(p: Promise<T>): Promise<T> {
    try {
      return await withTimeout(p, this.#timeoutMs);
    } catch (e) {
      if (e instanceof TimeoutError) this.#suspendedUntil = Date.now() + 1_000;
      throw e;
    }
  }

  async get(key: string): Promise<string | null> {
    if (this.#pending.has(key) || !this.#up()) return null;
    try {
      return await this.#run(this.#client.get(key));
    } catch {
      return null;
    }
  }

  async set(key: string, value: string, ttlSeconds: number): Promise<void> {
    if (!(ttlSeconds > 0)) {
      throw new RangeError(`ttlSeconds must be > 0 (got ${ttlSeconds})`);
    }
    if (!this.#up()) return;
    const expiration = {
      type: "PX",
      value: Math.ceil(ttlSeconds * 1000),
    } as const;
    await this.#run(this.#client.set(key, value, { expiration }))
      .catch(() => {});
  }

  async setIfAbsent(
    key: string,
    value: string,
    ttlSeconds: number,
  ): Promise<boolean> {
    if (!(ttlSeconds > 0)) {
      throw new RangeError(`ttlSeconds must be > 0 (got ${ttlSeconds})`);
    }
    // A claim cannot be dropped the way a cached value can: while Redis is
    // away this instance's memory answers (as for rate limits), so a claim
    // still holds here; across instances the outage weakens it.
    if (this.#up()) {
      try {
        const reply = await this.#run(this.#client.set(key, value, {
          expiration: { type: "PX", value: Math.ceil(ttlSeconds * 1000) },
          condition: "NX",
        }));
        return reply === "OK";
      } catch {
        // Answered below.
      }
    }
    return this.#fallback.setIfAbsent(key, value, ttlSeconds);
  }

  async delete(...keys: string[]): Promise<void> {
    if (keys.length === 0) return;
    if (this.#up() && this.#pending.size === 0) {
      try {
        await this.#run(this.#client.del(keys));
        return;
      } catch {
        // Remembered below.
      }
    }
    // Remembered even when Redis seems up but older deletions are still
    // queued, so that the order of deletions does not matter.
    this.#pending.add(keys);
  }

  async rateLimit(
    key: string,
    limit: number,
    windowMs: number,
  ): Promise<RateLimitResult> {
    checkRateLimitArgs(limit, windowMs);
    if (!this.#up()) return this.#fallback.rateLimit(key, limit, windowMs);
    const args = { keys: [key], arguments: [String(limit), String(windowMs)] };
    try {
      let reply: unknown;
      try {
        reply = await this.#run(this.#client.evalSha(this.#sha, args));
      } catch (e) {
        if (!(e instanceof ErrorReply && e.message.startsWith("NOSCRIPT"))) {
          throw e;
        }
        reply = await this.#run(this.#client.eval(RATE_LIMIT_LUA, args));
      }
      const [allowed, remaining, retryAfterMs] = reply as [
        number,
        number,
        number,
      ];
      return { allowed: allowed === 1, remaining, retryAfterMs };
    } catch {
      return this.#fallback.rateLimit(key, limit, windowMs);
    }
  }

  async resetRateLimit(key: string): Promise<void> {
    await this.#fallback.resetRateLimit(key);
    await this.delete(key);
  }

  async publish(channel: string, message: string): Promise<void> {
    if (this.#up()) {
      try {
        await this.#run(this.#client.publish(channel, message));
        return;
      } catch {
        // Delivered locally below.
      }
    }
    // Other instances cannot be told, but this one's subscribers can.
    this.#subscriptions.deliverLocally(channel, message);
  }

  subscribe(
    channel: string,
    onMessage: (message: string) => void,
  ): Promise<() => Promise<void>> {
    return this.#subscriptions.subscribe(channel, onMessage);
  }

  subscriptionEpoch(): number | null {
    // "ok" and not merely the subscriber being ready: a command connection
    // that times out means a network problem the subscriber may not have
    // noticed yet.
    return this.status() === "ok" ? this.#epoch : null;
  }

  status(): CacheStatus {
    const ok = this.#up() && this.#subscriber.isReady &&
      this.#pending.size === 0 && this.#phase !== "closed";
    return ok ? "ok" : "degraded";
  }

  async close(): Promise<void> {
    if (this.#phase === "closed") return;
    this.#phase = "closed";
    this.#pending.stop();
    this.#subscriptions.clear();
    await this.#fallback.close();
    await Promise.all([this.#client, this.#subscriber].map((c) => {
      if (!c.isOpen) return;
      if (!c.isReady) return c.destroy();
      return withTimeout(c.close(), this.#timeoutMs).catch(() => c.destroy());
    }));
  }
}
