/**
 * What the account actions (password reset, change password, change
 * email, two-factor) need, besides their input: the database, the session
 * engine (to end sessions), the mailer, the public URL for links, the
 * per-address and per-account limits, and the secret box.
 *
 * @module
 */
import type { NoticeDeps } from "../email/notices.ts";
import type { Cache } from "../cache/cache.ts";
import type { Db } from "../db/db.ts";
import type { Mailer } from "../email/mail.ts";
import type { SecretBox } from "../security/encryption.ts";
import {
  rateLimit,
  type RateLimitPolicy,
  resetRateLimit,
} from "../security/rate_limit.ts";
import type { SessionDeps } from "./session.ts";
import type { RequestMeta } from "./sign_up.ts";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/**
 * The limits these actions count, beside the network limit the web layer
 * applies. Reset requests are counted per typed address, known or not, so
 * the refusal reveals nothing; the per-account limit on reset mails cannot
 * be refused out loud without telling that the account exists, so past it
 * the same answer is given and no mail goes out.
 */
export const ACCOUNT_LIMITS = {
  /** Reset requests per address (the normalised address typed). */
  resetAddress: { name: "reset-address", limit: 3, windowMs: HOUR },
  /** Reset mails per account, whatever address was typed; silent. */
  resetAccount: { name: "reset-account", limit: 5, windowMs: DAY },
  /**
   * Current-password checks per account for the settings actions, counted
   * up front and cleared on success (as sign-in does).
   */
  reauth: { name: "reauth", limit: 5, windowMs: 15 * MINUTE },
  /** Email change requests (each one mails an address) per account. */
  emailChange: { name: "email-change", limit: 3, windowMs: HOUR },
  /**
   * Second-factor codes (authenticator or recovery) per account, counted
   * up front and cleared on success: the 6th wrong code in 15 minutes is
   * refused. Per account, not per network, so spreading guesses over
   * many addresses does not help: 5 guesses at a 6-digit code (3 steps
   * accepted) succeed about once in 67,000 tries of 15 minutes.
   */
  secondFactor: { name: "second-factor", limit: 5, windowMs: 15 * MINUTE },
} as const satisfies Record<string, RateLimitPolicy>;

/** Counts hits against limits. */
export interface Limiter {
  /** Counts one hit of `key`; 0 when allowed, else whole seconds (≥ 1) to wait. */
  hit(policy: RateLimitPolicy, key: string): Promise<number>;
  /** Forgets the hits of `key`. */
  clear(policy: RateLimitPolicy, key: string): Promise<void>;
}

/**
 * A limiter over the cache (Redis or in process), or one that allows
 * everything when rate limits are off (`RATE_LIMITS=off`).
 *
 * @example
 * ```ts
 * import type { Cache } from "../cache/cache.ts";
 * declare const cache: Cache;
 * const limiter = cacheLimiter(cache, true);
 * const wait = await limiter.hit(ACCOUNT_LIMITS.resetAddress, "ada@example.com");
 * ```
 */
export function cacheLimiter(cache: Cache, enabled: boolean): Limiter {
  if (!enabled) {
    return { hit: () => Promise.resolve(0), clear: () => Promise.resolve() };
  }
  return {
    async hit(policy, key) {
      const r = await rateLimit(cache, policy, key);
      return r.allowed ? 0 : Math.max(1, Math.ceil(r.retryAfterMs / 1000));
    },
    clear: (policy, key) => resetRateLimit(cache, policy, key),
  };
}

/** Dependencies of the account actions. */
export interface AccountDeps {
  db: Db;
  sessions: SessionDeps;
  mailer: Mailer;
  /** APP_URL: links in mail are absolute, built from it. */
  appUrl: URL;
  limiter: Limiter;
  /**
   * Seals and opens two-factor secrets (`services.secrets`); null when no
   * key is configured, and two-factor is then unavailable.
   */
  secrets: SecretBox | null;
  /** The clock (Unix ms), injectable for expiry tests. */
  now?: () => number;
}

/** Who is asking, as the audit log and the notification mails say it. */
export interface AccountMeta extends RequestMeta {
  /** A short label of the user agent, e.g. "Firefox on Linux". */
  device: string;
}

/**
 * The clock of `deps`.
 *
 * @example
 * ```ts
 * declare const deps: AccountDeps;
 * const expiresAt = nowOf(deps) + 3_600_000;
 * ```
 */
export function nowOf(deps: AccountDeps): number {
  return deps.now?.() ?? Date.now();
}

/**
 * What the security notices (`lib/email/notices.ts`) need, from `deps`.
 *
 * @example
 * ```ts
 * declare const deps: AccountDeps;
 * const { mailer, config } = noticeDeps(deps);
 * ```
 */
export function noticeDeps(deps: AccountDeps): NoticeDeps {
  return { mailer: deps.mailer, config: { appUrl: deps.appUrl } };
}
