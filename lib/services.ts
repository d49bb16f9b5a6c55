/**
 * The app's long-lived parts, built once at start-up from the config and
 * handed to requests through `ctx.state.services`: no hidden globals.
 *
 * @module
 */
import { configurePasswordHashing } from "./auth/password.ts";
import { purgeExpiredSessions, type SessionDeps } from "./auth/session.ts";
import { type Cache, createCache } from "./cache/mod.ts";
import type { Config } from "./config.ts";
import type { Db } from "./db/db.ts";
import { openDatabase } from "./db/open.ts";
import { migrate } from "./db/migrate.ts";
import {
  parseTrustedProxies,
  type TrustedProxies,
} from "./security/client_ip.ts";

const PURGE_INTERVAL_MS = 60 * 60 * 1000;

/** Everything a request handler may need besides the request. */
export interface Services {
  config: Config;
  db: Db;
  cache: Cache;
  sessions: SessionDeps;
  trustedProxies: TrustedProxies;
  close(): Promise<void>;
}

/**
 * Opens the database (applying pending migrations) and the cache.
 *
 * @example
 * ```ts
 * import { loadConfig } from "./config.ts";
 * const services = await createServices(loadConfig());
 * ```
 */
export async function createServices(config: Config): Promise<Services> {
  const trustedProxies = parseTrustedProxies(config.trustedProxies);
  configurePasswordHashing(config.passwordHashing);
  const db = await openDatabase(config);
  try {
    await migrate(db);
    const cache = await createCache(config.redisUrl);
    const sessions: SessionDeps = {
      db,
      cache,
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
    return {
      config,
      db,
      cache,
      trustedProxies,
      sessions,
      async close() {
        clearInterval(purge);
        await cache.close();
        await db.close();
      },
    };
  } catch (err) {
    await db.close();
    throw err;
  }
}
