import assert from "node:assert/strict";
import {
  isTestPgDatabaseName,
  PG_MADE_ENV,
  recordedTestPgDatabases,
  recordTestPgDatabase,
} from "./pg_made.ts";

async function withRecordFile(fn: (file: string) => Promise<void>) {
  const saved = Deno.env.get(PG_MADE_ENV);
  const dir = await Deno.makeTempDir({ prefix: "islet-pgmade-" });
  const file = `${dir}/made`;
  Deno.env.set(PG_MADE_ENV, file);
  try {
    await fn(file);
  } finally {
    if (saved === undefined) Deno.env.delete(PG_MADE_ENV);
    else Deno.env.set(PG_MADE_ENV, saved);
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("pg_made: only islet_test_ identifiers are test database names", () => {
  assert.ok(isTestPgDatabaseName("islet_test_0123456789abcdef"));
  assert.ok(isTestPgDatabaseName("islet_test_tpl_00ff"));
  for (
    const bad of [
      "postgres",
      "islet_test_",
      "islet_test_A",
      'islet_test_x" ; drop database postgres; --',
      "islet_test_x\nislet_test_y",
      `islet_test_${"a".repeat(53)}`,
    ]
  ) {
    assert.equal(isTestPgDatabaseName(bad), false, bad);
  }
});

Deno.test("pg_made: records go to the runner's file, read back once each", async () => {
  await withRecordFile(async (file) => {
    recordTestPgDatabase("islet_test_aa");
    recordTestPgDatabase("islet_test_bb");
    recordTestPgDatabase("islet_test_aa");
    assert.equal(
      await Deno.readTextFile(file),
      "islet_test_aa\nislet_test_bb\nislet_test_aa\n",
    );
    await Deno.writeTextFile(file, "postgres\n\nislet_test_\n", {
      append: true,
    });
    assert.deepEqual(await recordedTestPgDatabases(file), [
      "islet_test_aa",
      "islet_test_bb",
    ]);
  });
});

Deno.test("pg_made: a bad name is refused, not recorded", async () => {
  await withRecordFile(async (file) => {
    assert.throws(
      () => recordTestPgDatabase("postgres"),
      /not a test database/,
    );
    assert.deepEqual(await recordedTestPgDatabases(file), []);
  });
});
