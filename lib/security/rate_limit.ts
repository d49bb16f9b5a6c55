/**
 * The rate-limit policies of design.md as data, and the 429 answer. Counting is the cache's job (`Cache.rateLimit`: a Lua script
 * in Redis, or in process), so limits hold across instances.
 *
 * Stripe webhooks have no policy on purpose: they are checked by signature,
 * and refusing Stripe's retries would lose events.
 *
 * @module
 */

import { encodeHexLowerCase } from "@oslojs/encoding";
import { normalizeEmail } from "../auth/email_rule.ts";
import type { Cache, RateLimitResult } from "../cache/cache.ts";
import { formatIp, parseIp } from "./client_ip.ts";
import { jsonError } from "../http/json.ts";

/**
 * A limit: at most `limit` hits per `windowMs` per key.
 *
 * @example
 * ```ts
 * const exports: RateLimitPolicy = { name: "export", limit: 10, windowMs: 3_600_000 };
 * ```
 */
export interface RateLimitPolicy {
  /** Part of the cache key, so policies never share counters. */
  readonly name: string;
  readonly limit: number;
  readonly windowMs: number;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/**
 * The policies. Keys: `default`, `auth`, `registration` by client IP
 * ({@linkcode ipRateLimitKey}); `api` by user id, else IP; `export` and
 * `account` by user id; `signInAccount` by account (see
 * {@linkcode signInAttempt}); `verificationResend` (new confirmation links),
 * `twoFactor` (two-factor settings) and `billing` (checkout and portal
 * sessions) by user id.
 *
 * @example
 * ```ts
 * import type { Cache } from "../cache/cache.ts";
 * declare const cache: Cache;
 * async function register(ip: string): Promise<Response | null> {
 *   const r = await rateLimit(cache, RATE_LIMITS.registration, ipRateLimitKey(ip));
 *   if (!r.allowed) return tooManyRequests(r);
 *   return null;
 * }
 * ```
 */
export const RATE_LIMITS = {
  default: { name: "default", limit: 100, windowMs: MINUTE },
  api: { name: "api", limit: 1000, windowMs: HOUR },
  auth: { name: "auth", limit: 11, windowMs: 5 * MINUTE },
  signInAccount: { name: "signin", limit: 5, windowMs: 15 * MINUTE },
  registration: { name: "registration", limit: 3, windowMs: HOUR },
  verificationResend: { name: "verifyresend", limit: 3, windowMs: 10 * MINUTE },
  // Per account (user id): a data export reads everything the account
  // holds, so a stolen session cannot turn it into a load test.
  export: { name: "export", limit: 5, windowMs: HOUR },
  // Per account: changes to the account's own settings (preferences,
  // deletion attempts, activity pages), generous for a person.
  account: { name: "account", limit: 60, windowMs: 15 * MINUTE },
  // Per account: the two-factor settings (a new secret, turning it on or
  // off, new recovery codes). Each may send a mail or write a secret; a
  // person needs a handful, a stolen session no more. Wrong codes have a
  // tighter limit of their own (ACCOUNT_LIMITS.secondFactor).
  twoFactor: { name: "two-factor", limit: 20, windowMs: 15 * MINUTE },
  // Per account: checkout and portal sessions, each a call to Stripe. A
  // person opens a few; a stolen session cannot make Stripe calls by the
  // thousand on our key.
  billing: { name: "billing", limit: 20, windowMs: 15 * MINUTE },
} as const satisfies Record<string, RateLimitPolicy>;

/**
 * The name of one of {@linkcode RATE_LIMITS}, accepted wherever a policy is.
 *
 * @example
 * ```ts
 * import type { Cache } from "../cache/cache.ts";
 * declare const cache: Cache;
 * const policy: PolicyName = "registration";
 * await rateLimit(cache, policy, ipRateLimitKey("203.0.113.9"));
 * ```
 */
export type PolicyName = keyof typeof RATE_LIMITS;

function policyOf(policy: RateLimitPolicy | PolicyName): RateLimitPolicy {
  return typeof policy === "string" ? RATE_LIMITS[policy] : policy;
}

// Short, harmless keys (IPs, UUIDs) stay readable in Redis; anything else is
// hashed, so a 16 KB header cannot become a 16 KB key and emails are not
// stored in clear ("#" never starts a raw key, so the two cannot collide).
const PLAIN_KEY = /^[A-Za-z0-9._:/-]{1,64}$/;

/**
 * The cache key of `key` under `policy`: `rl:<policy>:<key>`, with the
 * key replaced by its SHA-256 when it is long or unusual.
 *
 * @example
 * ```ts
 * await rateLimitKey(RATE_LIMITS.auth, "203.0.113.9"); // "rl:auth:203.0.113.9"
 * await rateLimitKey(RATE_LIMITS.auth, "x".repeat(5000)); // "rl:auth:#<64 hex>"
 * await rateLimitKey(RATE_LIMITS.signInAccount, "a@b.c"); // "rl:signin:#<64 hex>"
 * ```
 */
export async function rateLimitKey(
  policy: RateLimitPolicy | PolicyName,
  key: string,
): Promise<string> {
  const { name } = policyOf(policy);
  if (PLAIN_KEY.test(key)) return `rl:${name}:${key}`;
  const digest = await crypto.subtle.digest(
    "SHA-256",
    new TextEncoder().encode(key),
  );
  return `rl:${name}:#${encodeHexLowerCase(new Uint8Array(digest))}`;
}

/**
 * The rate-limit key of a client address. An IPv6 client usually holds a
 * whole /64, so IPv6 is limited per /64; otherwise one client could rotate
 * through 2^64 addresses to escape any limit.
 *
 * @example
 * ```ts
 * ipRateLimitKey("203.0.113.9"); // "203.0.113.9"
 * ipRateLimitKey("2001:db8:1:2:aaaa::1"); // "2001:db8:1:2::/64"
 * ```
 */
export function ipRateLimitKey(ip: string): string {
  const parsed = parseIp(ip);
  if (parsed === null) return ip;
  if (parsed.version === 4) return formatIp(parsed);
  const mask = ((1n << 64n) - 1n) << 64n;
  return `${formatIp({ version: 6, value: parsed.value & mask })}/64`;
}

/**
 * Counts one hit of `key` under `policy`.
 *
 * @example
 * ```ts
 * import type { Cache } from "../cache/cache.ts";
 * declare const cache: Cache;
 * async function api(userId: string | null, ip: string): Promise<Response | null> {
 *   const r = await rateLimit(cache, RATE_LIMITS.api, userId ?? ipRateLimitKey(ip));
 *   if (!r.allowed) return tooManyRequests(r);
 *   return null;
 * }
 * ```
 */
export async function rateLimit(
  cache: Cache,
  policy: RateLimitPolicy | PolicyName,
  key: string,
): Promise<RateLimitResult> {
  const { limit, windowMs } = policyOf(policy);
  return cache.rateLimit(await rateLimitKey(policy, key), limit, windowMs);
}

/**
 * Forgets the hits of `key` under `policy`.
 *
 * @example
 * ```ts
 * import type { Cache } from "../cache/cache.ts";
 * declare const cache: Cache;
 * await resetRateLimit(cache, RATE_LIMITS.registration, ipRateLimitKey("203.0.113.9"));
 * ```
 */
export async function resetRateLimit(
  cache: Cache,
  policy: RateLimitPolicy | PolicyName,
  key: string,
): Promise<void> {
  await cache.resetRateLimit(await rateLimitKey(policy, key));
}

/**
 * The 429 answer: `Retry-After` in whole seconds (at least 1) and the JSON
 * error body every endpoint uses.
 *
 * @example
 * ```ts
 * const res = tooManyRequests({ allowed: false, remaining: 0, retryAfterMs: 41_200 });
 * // 429, Retry-After: 42,
 * // {"success":false,"error":"Too many requests, try again in 42 seconds"}
 * ```
 */
export function tooManyRequests(
  result: RateLimitResult,
  message?: string,
): Response {
  const seconds = Math.max(1, Math.ceil(result.retryAfterMs / 1000));
  const error = message ?? `Too many requests, try again in ${seconds} seconds`;
  return jsonError(429, error, undefined, {
    "retry-after": String(seconds),
    "cache-control": "no-store",
  });
}

/**
 * Per-account sign-in limit (5 failures / 15 minutes). Call it once per
 * attempt, BEFORE checking the password, and refuse with
 * {@linkcode tooManyRequests} when not allowed; call
 * {@linkcode clearSignInFailures} after a success.
 *
 * Each attempt is counted as a failure up front and the count is cleared on
 * success, which counts exactly the failures, but atomically: checking
 * first and recording the failure afterwards would let 100 parallel guesses
 * all pass the check before the first failure is recorded. Unknown emails
 * are counted the same way, so the answer does not reveal which exist.
 *
 * @example
 * ```ts
 * import type { Cache } from "../cache/cache.ts";
 * declare const cache: Cache;
 * declare function passwordMatches(email: string, password: string): Promise<boolean>;
 * async function signIn(email: string, password: string): Promise<Response> {
 *   const limit = await signInAttempt(cache, email);
 *   if (!limit.allowed) return tooManyRequests(limit);
 *   if (!(await passwordMatches(email, password))) {
 *     return new Response("Wrong email or password", { status: 401 });
 *   }
 *   await clearSignInFailures(cache, email);
 *   return new Response("Signed in");
 * }
 * ```
 */
export function signInAttempt(
  cache: Cache,
  email: string,
): Promise<RateLimitResult> {
  return rateLimit(cache, RATE_LIMITS.signInAccount, normalizeEmail(email));
}

/**
 * {@linkcode signInAttempt} in seconds: 0 when this attempt may go ahead,
 * else whole seconds (≥ 1) until the account may try again. It COUNTS the
 * attempt (as a failure until {@linkcode clearSignInFailures} says
 * otherwise), so call it exactly once per attempt.
 *
 * @example
 * ```ts
 * import type { Cache } from "../cache/cache.ts";
 * declare const cache: Cache;
 * declare function passwordMatches(email: string, password: string): Promise<boolean>;
 * async function signIn(email: string, password: string): Promise<string> {
 *   const wait = await signInBlockedFor(cache, email);
 *   if (wait > 0) return `Too many attempts, try again in ${wait} seconds`;
 *   if (!(await passwordMatches(email, password))) {
 *     return "Wrong email or password"; // already counted
 *   }
 *   await clearSignInFailures(cache, email);
 *   return "Signed in";
 * }
 * ```
 */
export async function signInBlockedFor(
  cache: Cache,
  email: string,
): Promise<number> {
  const r = await signInAttempt(cache, email);
  return r.allowed ? 0 : Math.max(1, Math.ceil(r.retryAfterMs / 1000));
}

/**
 * Forgets an account's failed sign-ins (after a successful sign-in or a
 * password reset).
 *
 * @example
 * ```ts
 * import type { Cache } from "../cache/cache.ts";
 * declare const cache: Cache;
 * await clearSignInFailures(cache, "alice@example.com");
 * ```
 */
export function clearSignInFailures(
  cache: Cache,
  email: string,
): Promise<void> {
  return resetRateLimit(
    cache,
    RATE_LIMITS.signInAccount,
    normalizeEmail(email),
  );
}
