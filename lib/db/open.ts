/**
 * Opens the database the settings name: PostgreSQL when `DATABASE_URL` is
 * set, else the SQLite file at `DATABASE_PATH` (the embedded default).
 *
 * @module
 */
import type { Config } from "../config.ts";
import type { Db } from "./db.ts";
import { openPostgres } from "./postgres.ts";
import { openSqlite } from "./sqlite.ts";

/**
 * The configured database, connected (PostgreSQL is reached once, so a bad
 * URL fails at start-up, with the password left out of the message).
 * `changes`: on PostgreSQL, listen for change notices (`db.changes`), as
 * the server does to keep rows in memory; SQLite has none.
 *
 * @example
 * ```ts
 * import { loadConfig } from "../config.ts";
 * const db = await openDatabase(loadConfig());
 * console.log(`${db.engine}: ${db.location}`);
 * ```
 */
export function openDatabase(
  config: Pick<Config, "databasePath" | "database">,
  options: { changes?: boolean } = {},
): Promise<Db> {
  const { url, poolSize, statementTimeoutMs } = config.database;
  if (url !== undefined) {
    return openPostgres(url, {
      poolSize,
      statementTimeoutMs,
      changes: options.changes,
    });
  }
  return Promise.resolve(openSqlite(config.databasePath));
}
