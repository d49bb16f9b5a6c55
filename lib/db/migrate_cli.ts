/**
 * `deno run -A lib/db/migrate_cli.ts`: applies pending migrations to the
 * database of the app's settings (`DATABASE_URL` or `DATABASE_PATH`, read by
 * lib/config.ts)
 * and prints what it did. Exits 1 with the failing migration named when one fails.
 *
 * @module
 */
import { type Config, loadConfig } from "../config.ts";
import { openDatabase } from "./open.ts";
import { migrate } from "./migrate.ts";

/**
 * Runs the migrations on the configured database and returns the process
 * exit code.
 *
 * @example
 * ```ts
 * import { loadConfig } from "../config.ts";
 * Deno.exit(await main(loadConfig({ DATABASE_PATH: "data/islet.db" })));
 * ```
 */
export async function main(
  config: Pick<Config, "databasePath" | "database">,
): Promise<number> {
  let db;
  try {
    db = await openDatabase(config);
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    return 1;
  }
  const path = db.location;
  try {
    const { applied, current } = await migrate(db);
    console.log(
      applied.length === 0
        ? `${path}: up to date`
        : `${path}: applied ${applied.map(label).join(", ")}`,
    );
    console.log(
      `${path}: schema versions ${current.map(label).join(", ") || "(none)"}`,
    );
    return 0;
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    return 1;
  } finally {
    await db.close();
  }
}

function label(version: number): string {
  return String(version).padStart(4, "0");
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
  Deno.exit(await main(config));
}
