/**
 * Versioned schema migrations. Each is a file `migrations/NNNN_name.sql`,
 * applied once, in version order, inside its own transaction, and recorded
 * in `schema_migrations`. SQLite's DDL is transactional, so a migration that
 * fails part-way leaves the database exactly as it was before it.
 *
 * Migration files must not contain `BEGIN`/`COMMIT` (the runner owns the
 * transaction). Foreign-key enforcement is off while a migration runs so
 * that table rebuilds (SQLite's "12-step" ALTER) do not cascade deletes;
 * `PRAGMA foreign_key_check` runs before the commit instead.
 *
 * `deno compile` users: add `--include lib/db/migrations`.
 *
 * @module
 */
import type { Db } from "./connection.ts";

/** One migration. */
export interface Migration {
  /** Positive integer, unique; applied in ascending order. */
  version: number;
  /** Human-readable name (the file name without number and extension). */
  name: string;
  /** SQL statements, run with `exec`. */
  sql: string;
}

/** Thrown when a migration fails; the database is as before that migration. */
export class MigrationError extends Error {
  constructor(
    readonly version: number,
    readonly migrationName: string,
    cause: unknown,
  ) {
    const label = `${String(version).padStart(4, "0")}_${migrationName}`;
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(
      `Migration ${label} failed and was rolled back (the database is unchanged by it): ${reason}`,
      { cause },
    );
    this.name = "MigrationError";
  }
}

const FILE_RE = /^(\d{4})_([A-Za-z0-9_]+)\.sql$/;

/**
 * Reads every `NNNN_name.sql` file of `dir` (default: the `migrations`
 * folder next to this module), sorted by version. Other files are ignored;
 * two files with the same version are an error.
 *
 * @example
 * ```ts
 * const migrations = await loadMigrations();
 * migrations[0].name; // "initial"
 * ```
 */
export async function loadMigrations(
  dir: URL = new URL("./migrations/", import.meta.url),
): Promise<Migration[]> {
  const migrations: Migration[] = [];
  for await (const entry of Deno.readDir(dir)) {
    const match = entry.isFile ? FILE_RE.exec(entry.name) : null;
    if (match === null) continue;
    const sql = await Deno.readTextFile(new URL(entry.name, dir));
    migrations.push({ version: Number(match[1]), name: match[2], sql });
  }
  return sortAndCheck(migrations);
}

function sortAndCheck(migrations: Migration[]): Migration[] {
  const sorted = [...migrations].sort((a, b) => a.version - b.version);
  for (let i = 0; i < sorted.length; i++) {
    const { version } = sorted[i];
    if (!Number.isSafeInteger(version) || version < 1) {
      throw new Error(
        `Migration version must be a positive integer (got ${version})`,
      );
    }
    if (i > 0 && sorted[i - 1].version === version) {
      throw new Error(`Two migrations have version ${version}`);
    }
  }
  return sorted;
}

/** What {@linkcode migrate} did. */
export interface MigrateResult {
  /** Versions applied by this call, in order. */
  applied: number[];
  /** Every version recorded in the database after this call. */
  current: number[];
}

/**
 * Applies the migrations not yet recorded, oldest first, and returns what it
 * did. Safe to run concurrently from two processes: the check for "already
 * applied" happens inside the write transaction. Throws
 * {@linkcode MigrationError} on the first failure (earlier migrations of the
 * same call stay applied).
 *
 * @example
 * ```ts
 * import { openDatabase } from "./connection.ts";
 * const db = openDatabase("data/islet.db");
 * const { applied } = await migrate(db);
 * // tests: await migrate(db, [{ version: 1, name: "t", sql: "CREATE TABLE t (x)" }]);
 * ```
 */
export async function migrate(
  db: Db,
  migrations?: Migration[],
): Promise<MigrateResult> {
  const list = sortAndCheck(migrations ?? await loadMigrations());
  db.raw.exec(
    "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)",
  );
  const applied: number[] = [];
  for (const migration of list) {
    if (applyOne(db, migration)) applied.push(migration.version);
  }
  const current = db.prepare(
    "SELECT version FROM schema_migrations ORDER BY version",
  )
    .all().map((row) => Number(row.version));
  return { applied, current };
}

function applyOne(db: Db, migration: Migration): boolean {
  // Cannot be changed inside a transaction, hence before BEGIN.
  db.raw.exec("PRAGMA foreign_keys = OFF");
  try {
    return db.transaction(() => {
      const done = db.prepare(
        "SELECT 1 FROM schema_migrations WHERE version = ?",
      )
        .get(migration.version);
      if (done !== undefined) return false;
      db.raw.exec(migration.sql);
      const broken = db.raw.prepare("PRAGMA foreign_key_check").all();
      if (broken.length > 0) {
        throw new Error(
          `foreign key check failed after migration (first: ${
            JSON.stringify(broken[0])
          })`,
        );
      }
      db.prepare(
        "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
      )
        .run(migration.version, migration.name, new Date().toISOString());
      return true;
    });
  } catch (error) {
    throw new MigrationError(migration.version, migration.name, error);
  } finally {
    db.raw.exec("PRAGMA foreign_keys = ON");
  }
}
