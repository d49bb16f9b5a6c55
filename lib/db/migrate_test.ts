import assert from "node:assert/strict";
import { type Db, dialect, type Engine, type Queryable } from "./db.ts";
import {
  loadMigrations,
  migrate,
  type MigrateResult,
  type Migration,
  MigrationError,
  migrationsDir,
} from "./migrate.ts";
import { loadConfig } from "../config.ts";
import { main } from "./migrate_cli.ts";
import { openPostgres } from "./postgres.ts";
import type { SqliteDb } from "./sqlite.ts";
import {
  createPgDatabase,
  dbTest,
  dropPgDatabase,
  ENGINES,
} from "./testing.ts";

async function tables(db: Queryable): Promise<string[]> {
  const rows = await db.all(dialect(db, {
    sqlite:
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
    postgres:
      "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema() ORDER BY table_name",
  }));
  return rows.map((r) => String(r.name));
}

async function recorded(
  db: Queryable,
): Promise<{ version: number; name: string }[]> {
  return (await db.all(
    "SELECT version, name FROM schema_migrations ORDER BY version",
  )).map((r) => ({ version: Number(r.version), name: String(r.name) }));
}

/**
 * Everything a migration could change, from the engine's catalog: every
 * table, index, sequence and view with its definition or columns.
 */
const CATALOG = {
  sqlite: "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY name",
  postgres: `SELECT c.relname, c.relkind, a.attnum, a.attname,
      format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull,
      pg_get_expr(d.adbin, d.adrelid) AS default_value,
      (SELECT string_agg(pg_get_constraintdef(k.oid), '; ' ORDER BY k.conname)
       FROM pg_constraint AS k WHERE k.conrelid = c.oid) AS constraints,
      pg_get_indexdef(c.oid) AS indexdef
    FROM pg_class AS c
    LEFT JOIN pg_attribute AS a
      ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
    LEFT JOIN pg_attrdef AS d ON d.adrelid = c.oid AND d.adnum = a.attnum
    WHERE c.relnamespace = current_schema()::regnamespace
    ORDER BY c.relname, a.attnum`,
};

/** Schema, recorded versions and data of `kept`, for before/after comparison. */
async function snapshot(db: Queryable): Promise<string> {
  return JSON.stringify([
    (await db.all(dialect(db, CATALOG))).map((r) => ({ ...r })),
    await recorded(db),
    (await db.all("SELECT * FROM kept ORDER BY x")).map((r) => ({ ...r })),
  ]);
}

/** Version and name of every migration the app ships for `engine`. */
async function realMigrations(
  engine: Engine,
): Promise<{ version: number; name: string }[]> {
  return (await loadMigrations(migrationsDir(engine))).map((m) => ({
    version: m.version,
    name: m.name,
  }));
}

for (const engine of ENGINES) {
  Deno.test(`loadMigrations reads the migrations folder in version order [${engine}]`, async () => {
    const list = await loadMigrations(migrationsDir(engine));
    assert.ok(list.length >= 1);
    assert.equal(list[0].version, 1);
    assert.equal(list[0].name, "initial");
    assert.match(list[0].sql, /CREATE TABLE users/);
    for (let i = 1; i < list.length; i++) {
      assert.ok(list[i].version > list[i - 1].version);
    }
  });
}

Deno.test("the sqlite and postgres migration folders hold the same versions and names", async () => {
  const [sqlite, postgres] = await Promise.all(
    ENGINES.map(async (engine) =>
      (await loadMigrations(migrationsDir(engine))).map((m) =>
        `${String(m.version).padStart(4, "0")}_${m.name}`
      )
    ),
  );
  assert.ok(sqlite.length >= 1);
  assert.deepEqual(postgres, sqlite);
});

dbTest("the real migrations apply once and are recorded", async (db) => {
  const real = await realMigrations(db.engine);
  const versions = real.map((m) => m.version);
  const first = await migrate(db);
  assert.deepEqual(first.applied, versions);
  assert.deepEqual(first.current, versions);
  assert.deepEqual(await recorded(db), real);
  const at = (await db.get("SELECT applied_at FROM schema_migrations"))
    ?.applied_at;
  assert.ok(!Number.isNaN(Date.parse(String(at))));
  const names = await tables(db);
  for (
    const t of [
      "users",
      "sessions",
      "audit_log",
      "preferences",
      "stripe_events",
      "security_notice_tokens",
    ]
  ) {
    assert.ok(names.includes(t), t);
  }
  const again = await migrate(db);
  assert.deepEqual(again.applied, []);
  assert.deepEqual(again.current, versions);
  assert.equal((await recorded(db)).length, versions.length);
  assert.deepEqual(await tables(db), names);
}, { migrate: false });

dbTest(
  "injected migrations apply in version order, whatever the list order",
  async (db) => {
    const { applied } = await migrate(db, [
      { version: 2, name: "b", sql: "ALTER TABLE a ADD COLUMN y INTEGER" },
      { version: 1, name: "a", sql: "CREATE TABLE a (x INTEGER)" },
    ]);
    assert.deepEqual(applied, [1, 2]);
    await migrate(db, [{
      version: 3,
      name: "c",
      sql: "INSERT INTO a VALUES (1, 2)",
    }]);
    assert.deepEqual((await recorded(db)).map((r) => r.version), [1, 2, 3]);
    assert.deepEqual({ ...await db.get("SELECT x, y FROM a") }, { x: 1, y: 2 });
  },
  { migrate: false },
);

dbTest(
  "a failing migration leaves the database exactly as before it",
  async (db) => {
    const good = {
      version: 1,
      name: "good",
      sql:
        "CREATE TABLE kept (x INTEGER); CREATE INDEX kept_x ON kept (x); INSERT INTO kept VALUES (1);",
    };
    const bad = {
      version: 2,
      name: "bad_one",
      sql:
        `CREATE TABLE half (x INTEGER); ALTER TABLE kept ADD COLUMN y INTEGER;
      CREATE INDEX kept_y ON kept (y); INSERT INTO kept VALUES (2, 2);
      THIS IS NOT SQL;`,
    };
    const never = {
      version: 3,
      name: "never",
      sql: "CREATE TABLE never (x INTEGER)",
    };
    await migrate(db, [good]);
    const before = await snapshot(db);
    const error = await migrate(db, [good, bad, never]).then(
      () => assert.fail("should throw"),
      (e) => e,
    );
    assert.ok(error instanceof MigrationError);
    assert.equal(error.version, 2);
    assert.match(error.message, /0002_bad_one/);
    assert.match(error.message, /syntax error/);
    const names = await tables(db);
    assert.ok(
      !names.includes("half"),
      "first statement of the file rolled back",
    );
    assert.ok(!names.includes("never"), "later migrations not run");
    assert.deepEqual(
      (await db.all("SELECT x FROM kept")).map((r) => r.x),
      [1],
    );
    assert.deepEqual(await recorded(db), [{ version: 1, name: "good" }]);
    assert.equal(await snapshot(db), before);
    if (db.engine === "sqlite") {
      const { raw } = db as SqliteDb;
      assert.equal(raw.isTransaction, false);
      assert.equal(
        (await db.get("PRAGMA foreign_keys"))?.foreign_keys,
        1,
        "FKs back on",
      );
    } else {
      assert.equal(
        Number(
          (await db.get(
            "SELECT count(*) AS n FROM pg_locks WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
          ))?.n,
        ),
        0,
        "the migration lock went with the transaction",
      );
    }
    // Fixed, it applies (nothing of the failed attempt is in its way).
    const fixed = { ...bad, sql: bad.sql.replace("THIS IS NOT SQL;", "") };
    assert.deepEqual((await migrate(db, [good, fixed, never])).applied, [2, 3]);
  },
  { migrate: false },
);

dbTest("a migration that breaks foreign keys is refused", async (db) => {
  await migrate(db, [{
    version: 1,
    name: "parent_child",
    sql: `CREATE TABLE p (id INTEGER PRIMARY KEY);
          CREATE TABLE c (p_id INTEGER REFERENCES p (id));
          CREATE INDEX c_p ON c (p_id);`,
  }]);
  // SQLite runs migrations with enforcement off (table rebuilds), so this
  // is caught by the foreign_key_check before COMMIT; PostgreSQL refuses
  // the INSERT itself.
  await assert.rejects(
    migrate(db, [{
      version: 2,
      name: "orphan",
      sql: "INSERT INTO c VALUES (42)",
    }]),
    (e) =>
      e instanceof MigrationError &&
      /0002_orphan.*foreign key/i.test(e.message),
  );
  assert.equal(Number((await db.get("SELECT count(*) AS n FROM c"))?.n), 0);
  assert.deepEqual((await recorded(db)).map((r) => r.version), [1]);
}, { migrate: false });

dbTest(
  "duplicate or invalid versions are rejected before anything runs",
  async (db) => {
    await assert.rejects(
      migrate(db, [
        { version: 1, name: "a", sql: "CREATE TABLE a (x INTEGER)" },
        { version: 1, name: "b", sql: "CREATE TABLE b (x INTEGER)" },
      ]),
      /Two migrations have version 1/,
    );
    await assert.rejects(
      migrate(db, [{ version: 0, name: "z", sql: "" }]),
      /positive integer/,
    );
    await assert.rejects(
      migrate(db, [{ version: 1.5, name: "z", sql: "" }]),
      /positive integer/,
    );
    // Not even schema_migrations.
    assert.deepEqual(await tables(db), []);
  },
  { migrate: false },
);

/** Runs the CLI's `main` with `env`, returning its exit code and output. */
async function cli(
  env: Record<string, string>,
): Promise<{ code: number; out: string; err: string }> {
  const { log, error } = console;
  const out: string[] = [];
  const err: string[] = [];
  console.log = (...args: unknown[]) => out.push(args.join(" "));
  console.error = (...args: unknown[]) => err.push(args.join(" "));
  try {
    const code = await main(loadConfig(env));
    return { code, out: out.join("\n"), err: err.join("\n") };
  } finally {
    console.log = log;
    console.error = error;
  }
}

Deno.test("migrate CLI applies pending migrations to DATABASE_PATH [sqlite]", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/sub/cli.db`;
    const first = await cli({ DATABASE_PATH: path });
    assert.equal(first.code, 0, first.err);
    assert.match(first.out, /applied 0001/);
    assert.match(first.out, /schema versions 0001/);
    const second = await cli({ DATABASE_PATH: path });
    assert.equal(second.code, 0, second.err);
    assert.match(second.out, /up to date/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("migrate CLI applies pending migrations to DATABASE_URL, never printing its password [postgres]", async () => {
  const url = await createPgDatabase(false);
  try {
    // The local server trusts connections, so any password is accepted:
    // the point is that it is never printed.
    const withPassword = new URL(url);
    withPassword.password = "s3cret-pw";
    const env = {
      DATABASE_URL: withPassword.href,
      // Proof that the URL, not the path, is used: this file is never made.
      DATABASE_PATH: "/nonexistent/islet-cli-test.db",
    };
    const first = await cli(env);
    assert.equal(first.code, 0, first.err);
    assert.match(first.out, /applied 0001/);
    assert.match(first.out, /schema versions 0001/);
    const second = await cli(env);
    assert.equal(second.code, 0, second.err);
    assert.match(second.out, /up to date/);
    for (const run of [first, second]) {
      assert.doesNotMatch(run.out + run.err, /s3cret-pw/);
    }
    const db = await openPostgres(url, { poolSize: 1 });
    try {
      assert.deepEqual(await recorded(db), await realMigrations("postgres"));
    } finally {
      await db.close();
    }
  } finally {
    await dropPgDatabase(url);
  }
});

Deno.test("migrate CLI exits 1 when PostgreSQL cannot be reached, without the password [postgres]", async () => {
  // Port 1 on the loopback: nothing listens, so the connection is refused at once.
  const run = await cli({
    DATABASE_URL: "postgres://islet:s3cret-pw@127.0.0.1:1/islet",
  });
  assert.equal(run.code, 1);
  assert.match(run.err, /127\.0\.0\.1:1/);
  assert.doesNotMatch(run.out + run.err, /s3cret-pw/);
});

/** The open, ungranted advisory-lock requests on the database at `db`. */
async function waitingForAdvisoryLocks(db: Queryable): Promise<number> {
  return Number(
    (await db.get(
      `SELECT count(*) AS n FROM pg_locks
       WHERE locktype = 'advisory' AND NOT granted
         AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
    ))?.n,
  );
}

/** A second advisory lock key, held by the test, that migration 1 waits for. */
const GATE = 4242;

Deno.test("two concurrent migrate() calls on separate connections apply each migration once and both succeed [postgres]", async () => {
  const url = await createPgDatabase(false);
  const dbs: Db[] = [];
  try {
    for (let i = 0; i < 3; i++) {
      dbs.push(await openPostgres(url, { poolSize: 1 }));
    }
    const [a, b, holder] = dbs;
    // Migration 1 waits on a gate the test holds, so the two calls are
    // certainly both inside migrate() at once, without timing anything:
    // with the migration lock, one waits at the gate and the other at the
    // migration lock; without it, both would be at the gate and both would
    // then run migration 1.
    const migrations: Migration[] = [
      {
        version: 1,
        name: "gated",
        sql: `SELECT pg_advisory_xact_lock_shared(${GATE});
          CREATE TABLE once (x INTEGER); INSERT INTO once VALUES (1);`,
      },
      { version: 2, name: "second", sql: "INSERT INTO once VALUES (2)" },
    ];
    let results!: Promise<PromiseSettledResult<MigrateResult>[]>;
    // The gate is the holder's transaction: it opens when that commits.
    await holder.transaction(async (tx) => {
      await tx.get("SELECT pg_advisory_xact_lock(?) AS locked", [GATE]);
      let ended = 0;
      results = Promise.allSettled(
        [a, b].map((db) => migrate(db, migrations).finally(() => ended++)),
      );
      // Wait (polling the server's lock table, not the clock) until both
      // calls are blocked, or one has ended, which only a broken lock
      // allows: the assertions below then say how.
      for (let i = 0; ended === 0; i++) {
        if ((await waitingForAdvisoryLocks(tx)) === 2) break;
        if (i > 1000) assert.fail("the two migrate() calls never both waited");
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    });
    const settled = await results;
    for (const result of settled) {
      assert.equal(
        result.status,
        "fulfilled",
        result.status === "rejected" ? String(result.reason) : "",
      );
    }
    const [ra, rb] = settled.map((r) =>
      (r as PromiseFulfilledResult<MigrateResult>).value
    );
    assert.deepEqual(
      [...ra.applied, ...rb.applied].sort(),
      [1, 2],
      "each migration applied by exactly one of the calls",
    );
    assert.deepEqual(ra.current, [1, 2]);
    assert.deepEqual(rb.current, [1, 2]);
    assert.deepEqual(
      (await holder.all("SELECT x FROM once ORDER BY x")).map((r) => r.x),
      [1, 2],
    );
    assert.deepEqual((await recorded(holder)).map((r) => r.version), [1, 2]);
  } finally {
    for (const db of dbs) await db.close();
    await dropPgDatabase(url);
  }
});

Deno.test("two concurrent migrate() calls apply the real migrations once [postgres]", async () => {
  const url = await createPgDatabase(false);
  const dbs = await Promise.all([
    openPostgres(url, { poolSize: 1 }),
    openPostgres(url, { poolSize: 1 }),
  ]);
  try {
    const results = await Promise.all(dbs.map((db) => migrate(db)));
    const versions = (await realMigrations("postgres")).map((m) => m.version);
    assert.deepEqual(
      results.flatMap((r) => r.applied).sort((a, b) => a - b),
      versions,
    );
    for (const r of results) assert.deepEqual(r.current, versions);
    assert.deepEqual(await recorded(dbs[0]), await realMigrations("postgres"));
  } finally {
    for (const db of dbs) await db.close();
    await dropPgDatabase(url);
  }
});
