/**
 * The in-process cache: used when `REDIS_URL` is unset, and by the Redis
 * cache as its fallback for rate limits during an outage.
 *
 * Rate limits use a sliding-window counter: windows are aligned on
 * multiples of `windowMs`, and a hit is allowed while
 * `previous × (unexpired share of the previous window) + current + 1 ≤ limit`.
 * Unlike a fixed window it does not allow a double burst across a window
 * boundary, yet it keeps three numbers per key. Refused hits are not
 * counted, so a client that keeps hammering is let through again once its
 * earlier hits age out. The Lua script in `redis.ts` is the same algorithm;
 * the shared contract tests hold both to it.
 *
 * @module
 */

import type { Cache, CacheStatus, RateLimitResult } from "./cache.ts";

/**
 * Options of {@linkcode createMemoryCache}.
 *
 * @example
 * ```ts
 * const fakeClock = { t: 0 }; // a test moves time by hand: fakeClock.t += 2_000
 * const options: MemoryCacheOptions = { maxEntries: 10_000, now: () => fakeClock.t };
 * ```
 */
export interface MemoryCacheOptions {
  /** Clock in milliseconds (tests move time by hand). Default `Date.now`. */
  now?: () => number;
  /**
   * Most keys kept per store (values, and rate-limit counters, each); the
   * oldest written goes first. Default 100 000.
   */
  maxEntries?: number;
  /** How often expired entries are swept. Default 30 000 ms. */
  sweepIntervalMs?: number;
}

/**
 * State of one rate-limit key: window index, its count, the previous window's.
 *
 * @example
 * ```ts
 * const state: WindowState = { w: Math.floor(Date.now() / 60_000), c: 3, p: 10 };
 * ```
 */
export interface WindowState {
  w: number;
  c: number;
  p: number;
}

/**
 * One sliding-window-counter step (pure; mirrored by the Lua script).
 * Returns the result and the state to store, or null when nothing changes.
 *
 * @example
 * ```ts
 * const { result, next } = slidingWindowStep(undefined, Date.now(), 10, 60_000);
 * console.log(result.allowed, next); // true { w: …, c: 1, p: 0 }
 * ```
 */
export function slidingWindowStep(
  state: WindowState | undefined,
  nowMs: number,
  limit: number,
  windowMs: number,
): { result: RateLimitResult; next: WindowState | null } {
  let now = Math.floor(nowMs);
  let w = Math.floor(now / windowMs);
  let c = 0;
  let p = 0;
  if (state) {
    if (state.w === w) ({ c, p } = state);
    else if (state.w === w - 1) p = state.c;
    else if (state.w > w) {
      // The clock went back: keep the stored window rather than forget hits.
      ({ w, c, p } = state);
      now = w * windowMs;
    }
  }
  const elapsed = now - w * windowMs;
  // In units of 1/windowMs of a hit, so the arithmetic stays in exact
  // integers: estimate × windowMs = p × (windowMs - elapsed) + c × windowMs.
  const used = p * (windowMs - elapsed) + (c + 1) * windowMs;
  if (used <= limit * windowMs) {
    return {
      result: {
        allowed: true,
        remaining: Math.floor((limit * windowMs - used) / windowMs),
        retryAfterMs: 0,
      },
      next: { w, c: c + 1, p },
    };
  }
  // When would the hit fit again?
  const retry = c + 1 > limit
    // Not in this window: in the next one, once this window's count has
    // decayed enough: c × (windowMs - e) + windowMs ≤ limit × windowMs.
    ? windowMs - elapsed + Math.ceil((windowMs * (c + 1 - limit)) / c)
    // Later in this window, once the previous window's share has decayed:
    // p × (windowMs - e) ≤ (limit - c - 1) × windowMs.
    : Math.ceil((windowMs * (p - limit + c + 1)) / p) - elapsed;
  return {
    result: { allowed: false, remaining: 0, retryAfterMs: Math.max(1, retry) },
    next: null,
  };
}

/**
 * Checks rate-limit arguments the same way for every implementation.
 *
 * @example
 * ```ts
 * checkRateLimitArgs(100, 60_000); // ok; throws RangeError on 0 or NaN
 * ```
 */
export function checkRateLimitArgs(limit: number, windowMs: number): void {
  if (!Number.isInteger(limit) || limit < 1) {
    throw new RangeError(
      `rate limit must be a whole number ≥ 1 (got ${limit})`,
    );
  }
  if (!Number.isInteger(windowMs) || windowMs < 1) {
    throw new RangeError(
      `rate-limit window must be whole milliseconds ≥ 1 (got ${windowMs})`,
    );
  }
}

/** A Map that forgets its oldest-written keys beyond `max`. */
class BoundedMap<V extends { expiresAt: number }> {
  readonly #map = new Map<string, V>();
  constructor(readonly max: number) {}

  get(key: string, now: number): V | undefined {
    const v = this.#map.get(key);
    if (v && v.expiresAt <= now) {
      this.#map.delete(key);
      return undefined;
    }
    return v;
  }

  set(key: string, value: V): void {
    // Re-inserting moves the key to the young end of the insertion order.
    this.#map.delete(key);
    this.#map.set(key, value);
    while (this.#map.size > this.max) {
      this.#map.delete(this.#map.keys().next().value!);
    }
  }

  delete(key: string): void {
    this.#map.delete(key);
  }

  sweep(now: number): void {
    for (const [k, v] of this.#map) if (v.expiresAt <= now) this.#map.delete(k);
  }

  clear(): void {
    this.#map.clear();
  }
}

/**
 * Creates the in-process cache. Data lives in this process only, so with
 * several app instances use Redis instead.
 *
 * @example
 * ```ts
 * const cache = createMemoryCache();
 * await cache.set("greeting", "hello", 60);
 * console.log(await cache.get("greeting")); // "hello"
 * const r = await cache.rateLimit("rl:login:1.2.3.4", 5, 60_000);
 * if (!r.allowed) console.log(`retry in ${r.retryAfterMs} ms`);
 * await cache.close();
 * ```
 */
export function createMemoryCache(options: MemoryCacheOptions = {}): Cache {
  const now = options.now ?? Date.now;
  const max = options.maxEntries ?? 100_000;
  if (!Number.isInteger(max) || max < 1) {
    throw new RangeError(`maxEntries must be a whole number ≥ 1 (got ${max})`);
  }
  const values = new BoundedMap<{ value: string; expiresAt: number }>(max);
  const windows = new BoundedMap<WindowState & { expiresAt: number }>(max);
  const channels = new Map<string, Set<(message: string) => void>>();

  // Lazy expiry alone would keep keys nobody reads again forever.
  const sweeper = setInterval(() => {
    const t = now();
    values.sweep(t);
    windows.sweep(t);
  }, options.sweepIntervalMs ?? 30_000);
  Deno.unrefTimer(sweeper);
  let closed = false;

  return {
    get(key) {
      return Promise.resolve(values.get(key, now())?.value ?? null);
    },

    set(key, value, ttlSeconds) {
      if (!(ttlSeconds > 0)) {
        return Promise.reject(
          new RangeError(`ttlSeconds must be > 0 (got ${ttlSeconds})`),
        );
      }
      values.set(key, { value, expiresAt: now() + ttlSeconds * 1000 });
      return Promise.resolve();
    },

    setIfAbsent(key, value, ttlSeconds) {
      if (!(ttlSeconds > 0)) {
        return Promise.reject(
          new RangeError(`ttlSeconds must be > 0 (got ${ttlSeconds})`),
        );
      }
      const t = now();
      if (values.get(key, t) !== undefined) return Promise.resolve(false);
      values.set(key, { value, expiresAt: t + ttlSeconds * 1000 });
      return Promise.resolve(true);
    },

    delete(...keys) {
      for (const k of keys) values.delete(k);
      return Promise.resolve();
    },

    rateLimit(key, limit, windowMs) {
      try {
        checkRateLimitArgs(limit, windowMs);
      } catch (e) {
        return Promise.reject(e);
      }
      const t = now();
      const { result, next } = slidingWindowStep(
        windows.get(key, t),
        t,
        limit,
        windowMs,
      );
      if (next) {
        // Useless once the next window has passed too.
        windows.set(key, { ...next, expiresAt: (next.w + 2) * windowMs });
      }
      return Promise.resolve(result);
    },

    resetRateLimit(key) {
      windows.delete(key);
      return Promise.resolve();
    },

    publish(channel, message) {
      const handlers = channels.get(channel);
      // Asynchronous like a real broker, so a handler never runs inside the
      // publisher's call stack.
      for (const h of handlers ?? []) {
        queueMicrotask(() => deliver(h, channel, message));
      }
      return Promise.resolve();
    },

    subscribe(channel, onMessage) {
      let set = channels.get(channel);
      if (!set) channels.set(channel, set = new Set());
      // Wrapped so the same function subscribed twice is two subscriptions.
      const handler = (m: string) => onMessage(m);
      set.add(handler);
      return Promise.resolve(() => {
        set.delete(handler);
        if (set.size === 0 && channels.get(channel) === set) {
          channels.delete(channel);
        }
        return Promise.resolve();
      });
    },

    subscriptionEpoch() {
      return 0;
    },

    status(): CacheStatus {
      return "in-process";
    },

    close() {
      if (!closed) {
        closed = true;
        clearInterval(sweeper);
        values.clear();
        windows.clear();
        channels.clear();
      }
      return Promise.resolve();
    },
  };
}

/**
 * Runs a subscriber, keeping its exceptions away from the publisher.
 *
 * @example
 * ```ts
 * deliver((m) => console.log(m), "sessions", "revoked:abc");
 * ```
 */
export function deliver(
  handler: (message: string) => void,
  channel: string,
  message: string,
): void {
  try {
    handler(message);
  } catch (e) {
    console.error(`cache: subscriber of "${channel}" threw:`, e);
  }
}
