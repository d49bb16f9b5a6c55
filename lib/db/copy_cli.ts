/**
 * `deno task db-copy <from> <to> [--replace]`: copies every table of one
 * Islet database into another (lib/db/copy.ts). Each side is a SQLite file
 * path or a `postgres://` URL; the target is created if it is a new SQLite
 * file, and migrated first. Prints the row count of every table, and exits
 * 1 with one message (passwords left out) when it refuses or fails, with
 * the target unchanged.
 *
 * @module
 */
import { copyDatabase, CopyError } from "./copy.ts";
import type { Db } from "./db.ts";
import { migrate } from "./migrate.ts";
import { openPostgres } from "./postgres.ts";
import { openSqlite } from "./sqlite.ts";

const USAGE = "Usage: deno task db-copy <from> <to> [--replace]\n" +
  "  <from>, <to>: a SQLite file (data/islet.db) or a postgres:// URL\n" +
  "  --replace: delete the rows the target already has first";

/** Long enough for a big batch or count on a large table. */
const STATEMENT_TIMEOUT_MS = 60_000;

/**
 * Runs the copy with command-line `args`, printing as it goes, and returns
 * the process exit code.
 *
 * @example
 * ```ts
 * const code = await main(["data/islet.db", "postgres://postgres@127.0.0.1:5432/islet"]);
 * ```
 */
export async function main(args: string[]): Promise<number> {
  const replace = args.includes("--replace");
  const places = args.filter((a) => a !== "--replace");
  if (places.length !== 2 || places.some((p) => p.startsWith("-"))) {
    console.error(USAGE);
    return 2;
  }
  const [from, to] = places;
  if (from === to) {
    console.error("The source and the target are the same database.");
    return 1;
  }
  let source: Db | undefined;
  let target: Db | undefined;
  try {
    source = await open(from, false);
    target = await open(to, true);
    console.log(`Copying ${source.location} → ${target.location}`);
    const { applied } = await migrate(target);
    if (applied.length > 0) {
      console.log(`Target migrated: ${applied.join(", ")}`);
    }
    const tables = await copyDatabase(source, target, { replace });
    const width = Math.max(...tables.map((t) => t.table.length));
    let rows = 0;
    for (const t of tables) {
      console.log(`  ${t.table.padEnd(width)}  ${t.source} → ${t.target}`);
      rows += t.target;
    }
    console.log(
      `Copied ${rows} rows in ${tables.length} tables; every count matches.`,
    );
    return 0;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    console.error(
      error instanceof CopyError
        ? message
        : `Copy failed, the target is unchanged: ${message}`,
    );
    return 1;
  } finally {
    await source?.close().catch(() => {});
    await target?.close().catch(() => {});
  }
}

function isUrl(place: string): boolean {
  return /^postgres(ql)?:\/\//i.test(place);
}

async function open(place: string, create: boolean): Promise<Db> {
  if (isUrl(place)) {
    return await openPostgres(place, {
      poolSize: 2,
      statementTimeoutMs: STATEMENT_TIMEOUT_MS,
    });
  }
  if (!create) {
    try {
      Deno.statSync(place);
    } catch {
      throw new CopyError(`No SQLite database at ${place}`);
    }
  }
  return openSqlite(place);
}

if (import.meta.main) {
  Deno.exit(await main(Deno.args));
}
