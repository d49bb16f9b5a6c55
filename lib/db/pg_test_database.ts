/**
 * A throwaway PostgreSQL database for the engine tests (test-only module).
 * Stand-in for `tests/helpers/postgres.ts` (same `withTestPgDatabase`
 * shape), which is being written on another branch; one will replace the
 * other when both are merged.
 *
 * @module
 */

import postgres from "postgres";

/** The server the tests use: `ISLET_TEST_PG_URL`, else the local one. */
export function pgAdminUrl(): string {
  return Deno.env.get("ISLET_TEST_PG_URL") ||
    "postgres://postgres@127.0.0.1:5432/postgres";
}

/**
 * Runs `fn` with the URL of a new, empty database `islet_test_<hex>`, then
 * drops it (with any connection still open to it), whether `fn` failed or not.
 *
 * @example
 * ```ts
 * import { openPostgres } from "./postgres.ts";
 * Deno.test("x", () =>
 *   withTestPgDatabase(async (url) => {
 *     const db = await openPostgres(url);
 *     await db.close();
 *   }));
 * ```
 */
export async function withTestPgDatabase<T>(
  fn: (url: string) => Promise<T>,
): Promise<T> {
  const adminUrl = pgAdminUrl();
  const name = `islet_test_${
    Array.from(
      crypto.getRandomValues(new Uint8Array(8)),
      (b) => b.toString(16).padStart(2, "0"),
    ).join("")
  }`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  try {
    // An identifier cannot be a parameter; the name is our own hex.
    await admin.unsafe(`CREATE DATABASE "${name}"`);
    try {
      const url = new URL(adminUrl);
      url.pathname = `/${name}`;
      return await fn(url.href);
    } finally {
      await admin.unsafe(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    }
  } finally {
    await admin.end();
  }
}
