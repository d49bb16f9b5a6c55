/**
 * Pieces of the Redis cache that need no connection: the rate-limit script,
 * URL redaction and a timeout for promises.
 *
 * @module
 */

import { encodeHexLowerCase } from "@oslojs/encoding";
import { TimeoutError } from "redis";

/**
 * Sliding-window counter, the same algorithm as `slidingWindowStep` in
 * memory.ts. Redis' clock is used so that instances with skewed clocks
 * share one window. KEYS[1] = counter hash; ARGV = limit, windowMs.
 * Returns {allowed (0/1), remaining, retryAfterMs}.
 *
 * @example
 * ```ts
 * import { createClient } from "redis";
 * const client = await createClient({ url: "redis://127.0.0.1:6379" }).connect();
 * const reply = await client.eval(RATE_LIMIT_LUA, { keys: ["rl:auth:1.2.3.4"], arguments: ["11", "300000"] });
 * ```
 */
export const RATE_LIMIT_LUA = `
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local w = math.floor(now / window)
local s = redis.call('HMGET', KEYS[1], 'w', 'c', 'p')
local sw = tonumber(s[1])
local c, p = 0, 0
if sw == w then c = tonumber(s[2]) or 0; p = tonumber(s[3]) or 0
elseif sw == w - 1 then p = tonumber(s[2]) or 0
elseif sw ~= nil and sw > w then
  w = sw; now = w * window; c = tonumber(s[2]) or 0; p = tonumber(s[3]) or 0
end
local elapsed = now - w * window
local used = p * (window - elapsed) + (c + 1) * window
if used <= limit * window then
  redis.call('HSET', KEYS[1], 'w', w, 'c', c + 1, 'p', p)
  redis.call('PEXPIRE', KEYS[1], 2 * window - elapsed)
  return {1, math.floor((limit * window - used) / window), 0}
end
local retry
if c + 1 > limit then
  retry = window - elapsed + math.ceil(window * (c + 1 - limit) / c)
else
  retry = math.ceil(window * (p - limit + c + 1) / p) - elapsed
end
return {0, 0, math.max(1, retry)}
`;

/**
 * The URL with its password replaced, fit for logs and error messages.
 *
 * @example
 * ```ts
 * redactRedisUrl("redis://:hunter2@cache:6379/0"); // "redis://:***@cache:6379/0"
 * ```
 */
export function redactRedisUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.toString();
  } catch {
    return "(unparseable Redis URL)";
  }
}

/**
 * Validates a Redis URL and returns how to name it in messages, plus a
 * function that removes its password from any error text (driver and
 * server messages included). Throws without quoting the URL.
 *
 * @example
 * ```ts
 * const { where, scrub } = describeRedisUrl("redis://:pw@cache:6379");
 * console.warn(`${where}: ${scrub(new Error("bad pw"))}`); // "redis://:***@cache:6379: bad ***"
 * ```
 */
export function describeRedisUrl(
  url: string,
): { where: string; scrub: (e: unknown) => string } {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    // Not the URL parser's message: it would quote the URL, password and all.
    throw new Error(
      "the Redis URL is not a valid URL (expected redis://[:password@]host[:port][/db])",
    );
  }
  if (parsed.protocol !== "redis:" && parsed.protocol !== "rediss:") {
    throw new Error(
      `the Redis URL must start with redis:// or rediss:// (got ${parsed.protocol}//)`,
    );
  }
  const secrets = [parsed.password];
  try {
    secrets.push(decodeURIComponent(parsed.password));
  } catch { /* not valid percent-encoding: the raw form is the secret */ }
  const hidden = secrets.filter((s) => s !== "");
  return {
    where: redactRedisUrl(url),
    scrub(e) {
      let m = e instanceof Error ? e.message : String(e);
      for (const s of hidden) m = m.replaceAll(s, "***");
      return m;
    },
  };
}

/**
 * Lowercase hex SHA-1, the name Redis gives a script (for EVALSHA).
 *
 * @example
 * ```ts
 * const sha = await sha1Hex(RATE_LIMIT_LUA);
 * ```
 */
export async function sha1Hex(text: string): Promise<string> {
  const d = await crypto.subtle.digest("SHA-1", new TextEncoder().encode(text));
  return encodeHexLowerCase(new Uint8Array(d));
}

/**
 * Rejects with node-redis' `TimeoutError` when `p` takes longer than `ms`
 * (`p` itself runs on; its late result is ignored).
 *
 * @example
 * ```ts
 * import { createClient } from "redis";
 * const client = await createClient({ url: "redis://127.0.0.1:6379" }).connect();
 * const value = await withTimeout(client.get("k"), 500); // rejects with TimeoutError after 500 ms
 * ```
 */
export function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TimeoutError()), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

/** The timing options {@linkcode reconnection} reads (see `RedisCacheOptions`). */
export interface ReconnectionOptions {
  connectTimeoutMs?: number;
  maxReconnectDelayMs?: number;
  startupTimeoutMs?: number;
}

/**
 * Socket options for one Redis connection, and the call that marks it
 * ready: before its first success, it gives up after the start-up timeout;
 * afterwards, it retries for ever with capped backoff.
 *
 * @example
 * ```ts
 * import { createClient } from "redis";
 * const { where, scrub } = describeRedisUrl("redis://127.0.0.1:6379");
 * const main = reconnection("commands", where, scrub, { startupTimeoutMs: 5_000 });
 * const client = createClient({ url: "redis://127.0.0.1:6379", socket: main.socket });
 * client.on("ready", main.ready);
 * ```
 */
export function reconnection(
  name: string,
  where: string,
  scrub: (e: unknown) => string,
  options: ReconnectionOptions,
): {
  socket: {
    connectTimeout: number;
    reconnectStrategy: (retries: number, cause: Error) => number | Error;
  };
  ready: () => void;
} {
  const started = Date.now();
  const startupTimeout = options.startupTimeoutMs ?? 5_000;
  const maxDelay = options.maxReconnectDelayMs ?? 2_000;
  let everReady = false;
  return {
    socket: {
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
    },
    ready: () => {
      everReady = true;
    },
  };
}
