/**
 * A throwaway PostgreSQL database per test, on the server `deno task test`
 * provides (`ISLET_TEST_PG_URL`; see `tests/postgres_server.ts`).
 *
 * @module
 */

import postgres from "postgres";
import { DEFAULT_PG_URL } from "../postgres_server.ts";
import { recordTestPgDatabase } from "./pg_made.ts";

/**
 * The admin URL of the test server: `ISLET_TEST_PG_URL`, set by the runner,
 * else the local server at 127.0.0.1:5432, so that a plain `deno test` of
 * one file works on a machine that has one.
 *
 * @example
 * ```ts
 * const admin = pgAdminUrl(); // e.g. "postgres://postgres@127.0.0.1:5432/postgres"
 * ```
 */
export function pgAdminUrl(): string {
  return Deno.env.get("ISLET_TEST_PG_URL") || DEFAULT_PG_URL;
}

/** The admin URL pointed at another database on the same server. */
function databaseUrl(admin: string, name: string): string {
  const u = new URL(admin);
  u.pathname = `/${name}`;
  return u.href;
}

function randomName(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(8));
  return `islet_test_${
    Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("")
  }`;
}

/**
 * Runs `fn` with the URL of a new, empty database `islet_test_<16 hex>`,
 * then drops it (closing any connection still open to it), also when `fn`
 * throws.
 *
 * @example
 * ```ts
 * import postgres from "postgres";
 * Deno.test("x", () =>
 *   withTestPgDatabase(async (url) => {
 *     const sql = postgres(url);
 *     try {
 *       await sql`create table t (id int)`;
 *     } finally {
 *       await sql.end();
 *     }
 *   }));
 * ```
 */
export async function withTestPgDatabase<T>(
  fn: (url: string) => T | Promise<T>,
): Promise<T> {
  const adminUrl = pgAdminUrl();
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  try {
    const name = randomName();
    // Identifiers cannot be bound parameters; the name is our own hex.
    await admin.unsafe(`create database "${name}"`);
    // Should this process die before the drop, the runner drops it.
    recordTestPgDatabase(name);
    let result: T;
    try {
      result = await fn(databaseUrl(adminUrl, name));
    } catch (e) {
      try {
        await drop(admin, name);
      } catch (dropError) {
        throw new AggregateError(
          [e, dropError],
          `the test failed, and dropping ${name} failed too`,
        );
      }
      throw e;
    }
    await drop(admin, name);
    return result;
  } finally {
    await admin.end();
  }
}

async function drop(admin: postgres.Sql, name: string): Promise<void> {
  // FORCE: a connection the test left open must not keep the database alive.
  await admin.unsafe(`drop database if exists "${name}" with (force)`);
}
