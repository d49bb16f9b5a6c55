/**
 * `deno task backup [folder]`: a consistent online copy of the SQLite
 * database (`DATABASE_PATH`) in `folder` (default: `backups/` beside the
 * database), while the app keeps running; prints the file's path. With
 * `DATABASE_URL` set it refuses and names `pg_dump`, PostgreSQL's own tool.
 *
 * @module
 */
import { dirname, join } from "node:path";
import { type Config, loadConfig } from "../config.ts";
import { backupSqlite } from "./backup.ts";

/**
 * Backs up the configured database and returns the process exit code.
 *
 * @example
 * ```ts
 * import { loadConfig } from "../config.ts";
 * Deno.exit(main(loadConfig({ DATABASE_PATH: "data/islet.db" }), []));
 * ```
 */
export function main(
  config: Pick<Config, "databasePath" | "database">,
  args: string[],
): number {
  if (config.database.url !== undefined) {
    console.error(
      "DATABASE_URL is set: the database is PostgreSQL, which this task does not back up.\n" +
        'Use pg_dump, e.g.: pg_dump --format=custom --file=islet.dump "$DATABASE_URL"',
    );
    return 1;
  }
  if (args.length > 1) {
    console.error("Usage: deno task backup [folder]");
    return 2;
  }
  const dir = args[0] ?? join(dirname(config.databasePath), "backups");
  try {
    console.log(backupSqlite(config.databasePath, dir));
    return 0;
  } catch (error) {
    console.error(
      `Backup failed: ${error instanceof Error ? error.message : error}`,
    );
    return 1;
  }
}

if (import.meta.main) {
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    // A ConfigError lists every problem and never a secret.
    console.error(error instanceof Error ? error.message : String(error));
    Deno.exit(1);
  }
  Deno.exit(main(config, Deno.args));
}
