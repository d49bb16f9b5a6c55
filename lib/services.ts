/**
 * The app's long-lived parts, built once at start-up from the config and
 * handed to requests through `ctx.state.services`: no hidden globals.
 *
 * @module
 */
import { configurePasswordHashing } from "./auth/password.ts";
import { type Billing, createBilling } from "./billing/client.ts";
import { purgeExpiredSessions, type SessionDeps } from "./auth/session.ts";
import { LocalSessions } from "./auth/session_local.ts";
import { type Cache, createCache } from "./cache/mod.ts";
import type { Config } from "./config.ts";
import type { Db } from "./db/db.ts";
import { openDatabase } from "./db/open.ts";
import { RowCache } from "./db/row_cache.ts";
import { migrate } from "./db/migrate.ts";
import { createMailer, type MailService } from "./email/mailer.ts";
import { type OAuthClients, oauthClients } from "./oauth/clients.ts";
import type { OidcClientOptions } from "./oauth/oidc.ts";
import type { MailTransport } from "./email/mail.ts";
import {
  parseTrustedProxies,
  type TrustedProxies,
} from "./security/client_ip.ts";
import type { SecretBox } from "./security/encryption.ts";
import { openSecrets } from "./security/secrets.ts";

const PURGE_INTERVAL_MS = 60 * 60 * 1000;

/** Everything a request handler may need besides the request. */
export interface Services {
  config: Config;
  db: Db;
  cache: Cache;
  sessions: SessionDeps;
  trustedProxies: TrustedProxies;
  /**
   * Queues mail in the outbox table (pass the action's `tx`) and delivers
   * it in the background: `services.mailer.send(tx, message)`.
   */
  mailer: MailService;
  /**
   * Stripe, when `STRIPE_SECRET_KEY` is set; null otherwise, and billing
   * pages say billing is not configured (`lib/billing/deps.ts`).
   */
  billing: Billing | null;
  /**
   * Seals and opens secrets at rest (TOTP secrets) under ENCRYPTION_KEY
   * (or the development key); null when two-factor is unavailable (see
   * `lib/security/secrets.ts`).
   */
  secrets: SecretBox | null;
  /**
   * The configured sign-in providers (GitHub, Google, OpenID Connect),
   * built once from `config.oauth`; `list` is empty when none is set
   * (`lib/oauth/clients.ts`).
   */
  oauth: OAuthClients;
  close(): Promise<void>;
}

/** Options of {@linkcode createServices}. */
export interface ServicesOptions {
  /**
   * The `BroadcastChannel` over which the workers of one `deno serve
   * --parallel` process announce revoked sessions to each other. Default:
   * one per database, so workers serving the same data hear each other;
   * null for none (tests that stand for separate machines in one process).
   */
  workerChannel?: string | null;
  /** Deliver mail here instead of the configured transport (tests). */
  mailTransport?: MailTransport;
  /**
   * This is the development server (`deno task dev`): without
   * ENCRYPTION_KEY, a development key is made (or reused) beside the
   * SQLite file instead of two-factor being unavailable. Default false.
   */
  development?: boolean;
  /**
   * How the sign-in providers are reached: a shorter deadline than
   * `PROVIDER_TIMEOUT_MS` (tests of a provider that hangs), a clock.
   */
  oauth?: OidcClientOptions;
}

/**
 * The worker channel of a database: every worker of one process that
 * serves the same data joins it.
 *
 * @example
 * ```ts
 * workerChannelFor("/srv/islet/data/islet.db"); // "islet-workers:/srv/islet/data/islet.db"
 * ```
 */
export function workerChannelFor(location: string): string {
  return `islet-workers:${location}`;
}

/**
 * Opens the database (applying pending migrations), the secret box (see
 * `lib/security/secrets.ts`: it may refuse to start) and the cache.
 *
 * @example
 * ```ts
 * import { loadConfig } from "./config.ts";
 * const services = await createServices(loadConfig());
 * ```
 */
export async function createServices(
  config: Config,
  options: ServicesOptions = {},
): Promise<Services> {
  const trustedProxies = parseTrustedProxies(config.trustedProxies);
  configurePasswordHashing(config.passwordHashing);
  // Change notices (PostgreSQL): users and session lists kept in process.
  const db = await openDatabase(config, { changes: true });
  let cache: Cache | undefined;
  let local: LocalSessions | undefined;
  let rows: RowCache | undefined;
  try {
    await migrate(db);
    // Before anything starts: it may refuse to run without a key.
    const secrets = await openSecrets(config, db, {
      development: options.development ?? false,
    });
    cache = await createCache(config.redisUrl);
    local = await LocalSessions.start(cache, {
      workerChannel: options.workerChannel === undefined
        ? workerChannelFor(db.location)
        : options.workerChannel,
    });
    rows = db.changes && RowCache.start(db.changes);
    const sessions: SessionDeps = {
      db,
      cache,
      local,
      rows,
      settings: {
        sessionDurationDays: config.session.durationDays,
        inactivityTimeoutDays: config.session.inactivityTimeoutDays,
        bindUserAgent: config.session.bindUserAgent,
      },
    };
    // Expired sessions are refused when presented; this only keeps the
    // table from growing with sessions nobody presents again.
    await purgeExpiredSessions(sessions);
    const purge = setInterval(() => {
      purgeExpiredSessions(sessions).catch((err) => {
        // A database outage is retried at the next interval.
        console.error(
          "Purging expired sessions failed:",
          err instanceof Error ? err.message : err,
        );
      });
    }, PURGE_INTERVAL_MS);
    Deno.unrefTimer(purge);
    const mailer = createMailer(config, db, {
      transport: options.mailTransport,
    });
    const opened = { cache, local };
    return {
      config,
      db,
      cache,
      trustedProxies,
      sessions,
      mailer,
      billing: config.billing && createBilling(config.billing),
      secrets,
      oauth: oauthClients(config, options.oauth),
      async close() {
        clearInterval(purge);
        rows?.close();
        // Before the database: a pass under way still writes its outcome.
        await mailer.close();
        await opened.local.close();
        await opened.cache.close();
        await db.close();
      },
    };
  } catch (err) {
    rows?.close();
    await local?.close();
    await cache?.close();
    await db.close();
    throw err;
  }
}
