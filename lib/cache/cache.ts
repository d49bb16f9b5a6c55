/**
 * One small key-value interface for everything the app caches or counts:
 * validated sessions, billing state, rate-limit windows, and invalidation
 * messages between app instances. Implemented by Redis (`redis.ts`, shared
 * by every instance) and in process (`memory.ts`, when `REDIS_URL` is unset).
 *
 * @module
 */

/** Result of one rate-limit step. */
export interface RateLimitResult {
  /** Whether this request is within the limit. */
  allowed: boolean;
  /** Requests left in the current window after this one. */
  remaining: number;
  /** Milliseconds until a refused request may be retried (0 when allowed). */
  retryAfterMs: number;
}

/** Health of the cache, as the health endpoint reports it. */
export type CacheStatus = "ok" | "degraded" | "in-process";

/** The cache interface. Values are strings; callers serialise. */
export interface Cache {
  /** The value, or null when absent, expired or the cache is unreachable. */
  get(key: string): Promise<string | null>;
  /** Stores a value for `ttlSeconds` (> 0). */
  set(key: string, value: string, ttlSeconds: number): Promise<void>;
  /**
   * Stores `value` for `ttlSeconds` (> 0) only when `key` holds nothing:
   * true when this call stored it, false when the key was already there.
   * Atomic across instances (one-time claims: a used OAuth state). While
   * Redis is away it answers from this instance's memory, like rate limits.
   */
  setIfAbsent(key: string, value: string, ttlSeconds: number): Promise<boolean>;
  /** Removes keys; removal is never silently lost (retried after an outage). */
  delete(...keys: string[]): Promise<void>;
  /**
   * Counts one hit against `key` in a window of `windowMs` and says whether
   * it is allowed under `limit`. Atomic across instances.
   */
  rateLimit(
    key: string,
    limit: number,
    windowMs: number,
  ): Promise<RateLimitResult>;
  /** Clears a rate-limit counter (e.g. after a successful sign-in). */
  resetRateLimit(key: string): Promise<void>;
  /** Sends a message to every subscriber of `channel` on every instance. */
  publish(channel: string, message: string): Promise<void>;
  /** Receives messages on `channel`; returns an unsubscribe function. */
  subscribe(
    channel: string,
    onMessage: (message: string) => void,
  ): Promise<() => Promise<void>>;
  /**
   * Whether what is published from now on reaches this instance's
   * subscribers: a number while it does, null while it may not (Redis
   * away). The number changes whenever the subscriber connection was lost,
   * so a subscriber that sees a new number knows it may have missed
   * messages meanwhile and must drop what it derived from them. The
   * in-process cache is always 0.
   */
  subscriptionEpoch(): number | null;
  /** Current health. */
  status(): CacheStatus;
  /** Closes connections and timers. */
  close(): Promise<void>;
}
