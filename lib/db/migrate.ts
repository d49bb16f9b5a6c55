/**
 * Versioned schema migrations, one folder per engine:
 * `migrations/sqlite/NNNN_name.sql` and `migrations/postgres/NNNN_name.sql`,
 * with the same versions in both (a test checks it). Each is applied once,
 * in version order, inside its own transaction, and recorded in
 * `schema_migrations`. DDL is transactional on both engines, so a
 * migration that fails part-way leaves the database exactly as it was
 * before it.
 *
 * Migration files must not contain `BEGIN`/`COMMIT` (the runner owns the
 * transaction). The engines' differences live here and nowhere else:
 * - SQLite: foreign-key enforcement is off while a migration runs so that
 *   table rebuilds (SQLite's "12-step" ALTER) do not cascade deletes;
 *   `PRAGMA foreign_key_check` runs before the commit instead. Two
 *   processes are kept apart by `BEGIN IMMEDIATE` (one writer at a time).
 * - PostgreSQL: each migration's transaction first takes a transaction-level
 *   advisory lock, so instances starting at once against one database
 *   apply each migration once; the others wait, then see it recorded.
 *
 * `deno compile` users: add `--include lib/db/migrations`.
 *
 * @module
 */
import type { Db, Engine, Queryable } from "./db.ts";

/**
 * The advisory lock key of migrations on PostgreSQL: any fixed bigint;
 * this one is "islet" in ASCII, so it is recognisable in `pg_locks`.
 */
const MIGRATION_LOCK = 0x69736c6574;

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
 * The folder of an engine's migrations.
 *
 * @example
 * ```ts
 * migrationsDir("postgres").pathname.endsWith("/migrations/postgres/"); // true
 * ```
 */
export function migrationsDir(engine: Engine): URL {
  return new URL(`./migrations/${engine}/`, import.meta.url);
}

/**
 * Reads every `NNNN_name.sql` file of `dir` (default: the SQLite
 * migrations), sorted by version. Other files are ignored; two files with
 * the same version are an error.
 *
 * @example
 * ```ts
 * const migrations = await loadMigrations(migrationsDir("postgres"));
 * migrations[0].name; // "initial"
 * ```
 */
export async function loadMigrations(
  dir: URL = migrationsDir("sqlite"),
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
 * did. Safe to run concurrently from several processes: the check for
 * "already applied" happens inside the migration's locked transaction.
 * Throws {@linkcode MigrationError} on the first failure (earlier
 * migrations of the same call stay applied).
 *
 * @example
 * ```ts
 * import { openSqlite } from "./sqlite.ts";
 * const db = openSqlite("data/islet.db");
 * const { applied } = await migrate(db);
 * // tests: await migrate(db, [{ version: 1, name: "t", sql: "CREATE TABLE t (x)" }]);
 * ```
 */
export async function migrate(
  db: Db,
  migrations?: Migration[],
): Promise<MigrateResult> {
  const list = sortAndCheck(
    migrations ?? await loadMigrations(migrationsDir(db.engine)),
  );
  await db.transaction(async (tx) => {
    await lock(tx);
    // Not `db.exec`: on PostgreSQL, two instances creating the table at
    // once race on the catalog unless the lock is held.
    await tx.run(
      `CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`,
    );
  });
  const applied: number[] = [];
  for (const migration of list) {
    if (await applyOne(db, migration)) applied.push(migration.version);
  }
  const current = (await db.all(
    "SELECT version FROM schema_migrations ORDER BY version",
  )).map((row) => Number(row.version));
  return { applied, current };
}

/** PostgreSQL: waits for, then holds until commit, the migration lock. */
async function lock(tx: Queryable): Promise<void> {
  if (tx.engine === "postgres") {
    await tx.get("SELECT pg_advisory_xact_lock(?) AS locked", [
      MIGRATION_LOCK,
    ]);
  }
}

async function applyOne(db: Db, migration: Migration): Promise<boolean> {
  const sqlite = db.engine === "sqlite";
  // Cannot be changed inside a transaction, hence before BEGIN.
  if (sqlite) await db.exec("PRAGMA foreign_keys = OFF");
  try {
    return await db.transaction(async (tx) => {
      await lock(tx);
      const done = await tx.get(
        "SELECT 1 AS done FROM schema_migrations WHERE version = ?",
        [migration.version],
      );
      if (done !== undefined) return false;
      await tx.exec(migration.sql);
      if (sqlite) {
        const broken = await tx.all("PRAGMA foreign_key_check");
        if (broken.length > 0) {
          throw new Error(
            `foreign key check failed after migration (first: ${
              JSON.stringify(broken[0])
            })`,
          );
        }
      }
      await tx.run(
        "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
        [migration.version, migration.name, new Date().toISOString()],
      );
      return true;
    });
  } catch (error) {
    throw new MigrationError(migration.version, migration.name, error);
  } finally {
    if (sqlite) await db.exec("PRAGMA foreign_keys = ON");
  }
}
