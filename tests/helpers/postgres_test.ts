import assert from "node:assert/strict";
import postgres from "postgres";
import { pgAdminUrl, withTestPgDatabase } from "./postgres.ts";
import { PG_MADE_ENV, recordedTestPgDatabases } from "./pg_made.ts";

/** Whether a database of that name exists, asked over the admin URL. */
async function exists(name: string): Promise<boolean> {
  const sql = postgres(pgAdminUrl(), { max: 1 });
  try {
    const rows = await sql`select 1 from pg_database where datname = ${name}`;
    return rows.length === 1;
  } finally {
    await sql.end();
  }
}

const nameOf = (url: string) => new URL(url).pathname.slice(1);

Deno.test("pgAdminUrl: ISLET_TEST_PG_URL when set, else the local server", () => {
  const saved = Deno.env.get("ISLET_TEST_PG_URL");
  try {
    Deno.env.set("ISLET_TEST_PG_URL", "postgres://a@127.0.0.1:1/b");
    assert.equal(pgAdminUrl(), "postgres://a@127.0.0.1:1/b");
    Deno.env.delete("ISLET_TEST_PG_URL");
    assert.equal(pgAdminUrl(), "postgres://postgres@127.0.0.1:5432/postgres");
  } finally {
    if (saved === undefined) Deno.env.delete("ISLET_TEST_PG_URL");
    else Deno.env.set("ISLET_TEST_PG_URL", saved);
  }
});

Deno.test("withTestPgDatabase: a fresh database during fn, gone after", async () => {
  let seen = "";
  const result = await withTestPgDatabase(async (url) => {
    seen = nameOf(url);
    assert.match(seen, /^islet_test_[0-9a-f]{16}$/);
    // Same server and role as the admin URL, only the database differs.
    const admin = new URL(pgAdminUrl());
    const u = new URL(url);
    assert.equal(u.host, admin.host);
    assert.equal(u.username, admin.username);
    assert.ok(await exists(seen), "database missing during fn");

    const sql = postgres(url, { max: 1 });
    try {
      const [{ db }] = await sql`select current_database() as db`;
      assert.equal(db, seen);
      const tables = await sql`
        select 1 from pg_tables where schemaname = 'public'`;
      assert.equal(tables.length, 0, "a new database starts empty");
      await sql`create table t (id int)`;
    } finally {
      await sql.end();
    }
    return 42;
  });
  assert.equal(result, 42);
  assert.equal(await exists(seen), false, "database left behind");
});

Deno.test("withTestPgDatabase: dropped when fn throws, and the error passes through", async () => {
  let seen = "";
  const boom = new Error("boom");
  await assert.rejects(
    withTestPgDatabase((url) => {
      seen = nameOf(url);
      throw boom;
    }),
    (e) => e === boom,
  );
  assert.ok(seen);
  assert.equal(await exists(seen), false, "database left behind");
});

Deno.test("withTestPgDatabase: dropped even with a connection still open to it", async () => {
  let seen = "";
  let held: postgres.Sql | undefined;
  try {
    await withTestPgDatabase(async (url) => {
      seen = nameOf(url);
      held = postgres(url, { max: 1 });
      await held`select 1`;
    });
    assert.equal(await exists(seen), false, "database left behind");
  } finally {
    await held?.end({ timeout: 1 });
  }
});

Deno.test("withTestPgDatabase: each call gets its own database", async () => {
  const names = await withTestPgDatabase((a) =>
    withTestPgDatabase((b) => [nameOf(a), nameOf(b)])
  );
  assert.notEqual(names[0], names[1]);
});

Deno.test("withTestPgDatabase: records its database for the runner, in case the process dies", async () => {
  const saved = Deno.env.get(PG_MADE_ENV);
  const file = await Deno.makeTempFile({ prefix: "islet-pgmade-" });
  Deno.env.set(PG_MADE_ENV, file);
  try {
    let seen = "";
    await withTestPgDatabase(async (url) => {
      seen = nameOf(url);
      assert.deepEqual(await recordedTestPgDatabases(file), [seen]);
    });
  } finally {
    if (saved === undefined) Deno.env.delete(PG_MADE_ENV);
    else Deno.env.set(PG_MADE_ENV, saved);
    await Deno.remove(file);
  }
});
