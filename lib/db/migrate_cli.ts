/**
 * `deno run -A lib/db/migrate_cli.ts`: applies pending migrations to the
 * database at `DATABASE_PATH` (default `data/islet.db`) and prints what it
 * did. Exits 1 with the failing migration named when one fails.
 *
 * @module
 */
import { openDatabase } from "./connection.ts";
import { migrate } from "./migrate.ts";

/**
 * Runs the migrations and returns the process exit code.
 *
 * @example
 * ```ts
 * Deno.exit(await main({ DATABASE_PATH: "data/islet.db" }));
 * ```
 */
export async function main(
  env: Record<string, string | undefined> = Deno.env.toObject(),
): Promise<number> {
  const path = env.DATABASE_PATH?.trim() || "data/islet.db";
  const db = openDatabase(path);
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
    db.close();
  }
}

function label(version: number): string {
  return String(version).padStart(4, "0");
}

if (import.meta.main) Deno.exit(await main());
