/**
 * Test helpers: a migrated database in a fresh temporary folder, removed
 * afterwards. Tests use real files, not `:memory:`, so WAL and the
 * folder creation are exercised as in production.
 *
 * @module
 */
import { type Db, openDatabase } from "./connection.ts";
import { migrate } from "./migrate.ts";

/**
 * Runs `fn` with a freshly migrated database file, then closes and deletes it.
 *
 * @example
 * ```ts
 * import { createUser } from "./users.ts";
 * Deno.test("x", () => withTestDb((db) => { createUser(db, { email: "a@b.c", username: "a" }); }));
 * ```
 */
export async function withTestDb<T>(
  fn: (db: Db, path: string) => T | Promise<T>,
  options: { migrate?: boolean } = {},
): Promise<T> {
  const dir = await Deno.makeTempDir({ prefix: "islet-db-" });
  const path = `${dir}/nested/test.db`;
  const db = openDatabase(path);
  try {
    if (options.migrate !== false) await migrate(db);
    return await fn(db, path);
  } finally {
    try {
      db.close();
    } catch {
      // already closed by the test
    }
    await Deno.remove(dir, { recursive: true });
  }
}
