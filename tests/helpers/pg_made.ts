/**
 * The record of the PostgreSQL test databases a run made, so the runner can
 * drop any a test process left behind (one that crashed, or a template kept
 * for the whole process) on a server that outlives the run.
 *
 * The runner names a file in `ISLET_TEST_PG_MADE`; whatever creates an
 * `islet_test_*` database appends its name there. Only names recorded by
 * this run are dropped: several runs may share one server at once.
 *
 * @module
 */

/** The environment variable naming the record file. */
export const PG_MADE_ENV = "ISLET_TEST_PG_MADE";

// Test databases only, and a plain identifier: names are put into SQL.
// 63 bytes is PostgreSQL's identifier limit.
const NAME = /^islet_test_[0-9a-z_]{1,52}$/;

/**
 * Whether `name` is one a test database may have.
 *
 * @example
 * ```ts
 * isTestPgDatabaseName("islet_test_00ff"); // => true
 * isTestPgDatabaseName("postgres");        // => false
 * ```
 */
export function isTestPgDatabaseName(name: string): boolean {
  return NAME.test(name);
}

/**
 * Records a test database this process made (a no-op outside the runner).
 * Synchronous, so it also works from an `unload` handler; one short append
 * per name, so processes that write at once do not mix their lines.
 *
 * @example
 * ```ts
 * recordTestPgDatabase("islet_test_0123456789abcdef");
 * ```
 */
export function recordTestPgDatabase(name: string): void {
  if (!isTestPgDatabaseName(name)) {
    throw new Error(`not a test database name: ${JSON.stringify(name)}`);
  }
  const file = Deno.env.get(PG_MADE_ENV);
  if (!file) return;
  Deno.writeTextFileSync(file, `${name}\n`, { append: true });
}

/**
 * The names recorded in `file`, each once; lines that are not a test
 * database name are ignored. Empty when the file does not exist.
 *
 * @example
 * ```ts
 * declare const file: string;
 * for (const name of await recordedTestPgDatabases(file)) console.log(name);
 * ```
 */
export async function recordedTestPgDatabases(
  file: string,
): Promise<string[]> {
  let text: string;
  try {
    text = await Deno.readTextFile(file);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return [];
    throw e;
  }
  return [...new Set(text.split("\n").filter(isTestPgDatabaseName))];
}
