/**
 * Test helpers: a migrated database of either engine, made for one test
 * and removed afterwards. SQLite tests use a real file in a fresh
 * temporary folder, not `:memory:`, so WAL and the folder creation are
 * exercised as in production. PostgreSQL tests get a database of their own
 * on the server named by `ISLET_TEST_PG_URL` (the test runner sets it; on
 * these machines it defaults to the local server), copied from a migrated
 * template made once per test process, and dropped after.
 *
 * @module
 */
import type { Db, Engine } from "./db.ts";
import { migrate } from "./migrate.ts";
import { openPostgres } from "./postgres.ts";
import { openSqlite, type SqliteDb } from "./sqlite.ts";
import { recordTestPgDatabase } from "../../tests/helpers/pg_made.ts";
import { pgAdminUrl } from "../../tests/helpers/postgres.ts";

/** Every engine, for tests that run once per engine. */
export const ENGINES: readonly Engine[] = ["sqlite", "postgres"];

/** The PostgreSQL server tests may create databases on (an admin URL). */
export const testPgAdminUrl: () => string = pgAdminUrl;

/**
 * Runs `fn` with a freshly migrated SQLite file, then closes and deletes it.
 *
 * @example
 * ```ts
 * import { createUser } from "./users.ts";
 * Deno.test("x", () => withTestDb(async (db) => { await createUser(db, { email: "a@b.c", username: "a" }); }));
 * ```
 */
export async function withTestDb<T>(
  fn: (db: SqliteDb, path: string) => T | Promise<T>,
  options: { migrate?: boolean } = {},
): Promise<T> {
  const dir = await Deno.makeTempDir({ prefix: "islet-db-" });
  const path = `${dir}/nested/test.db`;
  const db = openSqlite(path);
  try {
    if (options.migrate !== false) await migrate(db);
    return await fn(db, path);
  } finally {
    await db.close().catch(() => {}); // already closed by the test
    await Deno.remove(dir, { recursive: true });
  }
}

/**
 * Runs `fn` with a fresh database of `engine` (migrated unless
 * `migrate: false`), then removes it. `location` is the SQLite path or the
 * PostgreSQL URL, for a second connection or a server process.
 *
 * @example
 * ```ts
 * await withEngineDb("postgres", async (db, location) => {
 *   await db.get("SELECT 1 AS one");
 * });
 * ```
 */
export async function withEngineDb<T>(
  engine: Engine,
  fn: (db: Db, location: string) => T | Promise<T>,
  options: { migrate?: boolean } = {},
): Promise<T> {
  if (engine === "sqlite") return withTestDb(fn, options);
  const url = await createPgDatabase(options.migrate !== false);
  const db = await openPostgres(url, { poolSize: 4 });
  try {
    return await fn(db, url);
  } finally {
    await db.close().catch(() => {});
    await dropPgDatabase(url);
  }
}

/**
 * Registers one `Deno.test` per engine, named `"<name> [sqlite]"` and
 * `"<name> [postgres]"`, each with a fresh migrated database.
 *
 * @example
 * ```ts
 * import { createUser, getUserByEmail } from "./users.ts";
 * dbTest("a user is found by email", async (db) => {
 *   await createUser(db, { email: "a@b.c", username: "a" });
 *   await getUserByEmail(db, "A@B.C");
 * });
 * ```
 */
export function dbTest(
  name: string,
  fn: (db: Db, location: string) => void | Promise<void>,
  options: { migrate?: boolean } = {},
): void {
  for (const engine of ENGINES) {
    Deno.test(`${name} [${engine}]`, () => withEngineDb(engine, fn, options));
  }
}

let template: Promise<string> | null = null;

/**
 * A new database on the test server; migrated ones are copied from a
 * template migrated once per process (CREATE DATABASE … TEMPLATE copies
 * files, much faster than migrating each time).
 *
 * @example
 * ```ts
 * const url = await createPgDatabase(true);
 * await dropPgDatabase(url);
 * ```
 */
export async function createPgDatabase(migrated: boolean): Promise<string> {
  const from = migrated ? await (template ??= makeTemplate()) : null;
  return await createFrom(from === null ? "template0" : nameOf(from));
}

/**
 * Drops a database made by {@linkcode createPgDatabase}, ending any
 * connection still open to it.
 *
 * @example
 * ```ts
 * declare const url: string;
 * await dropPgDatabase(url);
 * ```
 */
export async function dropPgDatabase(url: string): Promise<void> {
  await admin(`DROP DATABASE IF EXISTS "${nameOf(url)}" WITH (FORCE)`);
}

async function makeTemplate(): Promise<string> {
  const url = await createFrom("template0");
  const db = await openPostgres(url, { poolSize: 1 });
  try {
    await migrate(db);
  } finally {
    await db.close();
  }
  // Outlives this test process (an unload handler cannot await the
  // drop): the test runner drops it with the others this run recorded.
  return url;
}

async function createFrom(templateName: string): Promise<string> {
  const bytes = crypto.getRandomValues(new Uint8Array(8));
  const name = `islet_test_${
    Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("")
  }`;
  await admin(`CREATE DATABASE "${name}" TEMPLATE "${templateName}"`);
  // Should this process die before the drop (or keep it: the template),
  // the test runner drops it at the end of the run.
  recordTestPgDatabase(name);
  const url = new URL(testPgAdminUrl());
  url.pathname = `/${name}`;
  return url.href;
}

function nameOf(url: string): string {
  return decodeURIComponent(new URL(url).pathname.slice(1));
}

async function admin(sql: string): Promise<void> {
  const db = await openPostgres(testPgAdminUrl(), { poolSize: 1 });
  try {
    await db.exec(sql);
  } finally {
    await db.close();
  }
}
