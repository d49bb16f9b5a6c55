import assert from "node:assert/strict";
import type { Db } from "./db.ts";
import { loadMigrations, migrate, MigrationError } from "./migrate.ts";
import { loadConfig } from "../config.ts";
import { main } from "./migrate_cli.ts";
import { withTestDb } from "./testing.ts";

function tables(db: Db): string[] {
  return db.prepare(
    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
  ).all().map((r) => String(r.name));
}

function recorded(db: Db): { version: number; name: string }[] {
  return db.prepare(
    "SELECT version, name FROM schema_migrations ORDER BY version",
  ).all()
    .map((r) => ({ version: Number(r.version), name: String(r.name) }));
}

/** Schema, recorded versions and data of `kept`, for before/after comparison. */
function snapshot(db: Db): string {
  return JSON.stringify([
    db.prepare("SELECT type, name, sql FROM sqlite_master ORDER BY name").all(),
    recorded(db),
    db.prepare("SELECT * FROM kept ORDER BY x").all(),
  ]);
}

Deno.test("loadMigrations reads the migrations folder in version order", async () => {
  const list = await loadMigrations();
  assert.ok(list.length >= 1);
  assert.equal(list[0].version, 1);
  assert.equal(list[0].name, "initial");
  assert.match(list[0].sql, /CREATE TABLE users/);
  for (let i = 1; i < list.length; i++) {
    assert.ok(list[i].version > list[i - 1].version);
  }
});

Deno.test("the real migrations apply once and are recorded", async () => {
  await withTestDb(async (db) => {
    const first = await migrate(db);
    assert.deepEqual(first.applied, [1]);
    assert.deepEqual(first.current, [1]);
    assert.deepEqual(recorded(db), [{ version: 1, name: "initial" }]);
    const at = db.prepare("SELECT applied_at FROM schema_migrations").get()
      ?.applied_at;
    assert.ok(!Number.isNaN(Date.parse(String(at))));
    for (
      const t of [
        "users",
        "sessions",
        "audit_log",
        "preferences",
        "stripe_events",
      ]
    ) {
      assert.ok(tables(db).includes(t), t);
    }
    const again = await migrate(db);
    assert.deepEqual(again.applied, []);
    assert.deepEqual(again.current, [1]);
    assert.equal(recorded(db).length, 1);
  }, { migrate: false });
});

Deno.test("injected migrations apply in version order, whatever the list order", async () => {
  await withTestDb(async (db) => {
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
    assert.deepEqual(recorded(db).map((r) => r.version), [1, 2, 3]);
  }, { migrate: false });
});

Deno.test("a failing migration leaves the database exactly as before it", async () => {
  await withTestDb(async (db) => {
    const good = {
      version: 1,
      name: "good",
      sql: "CREATE TABLE kept (x INTEGER); INSERT INTO kept VALUES (1);",
    };
    const bad = {
      version: 2,
      name: "bad_one",
      sql:
        "CREATE TABLE half (x INTEGER); INSERT INTO kept VALUES (2); THIS IS NOT SQL;",
    };
    const never = {
      version: 3,
      name: "never",
      sql: "CREATE TABLE never (x INTEGER)",
    };
    await migrate(db, [good]);
    const before = snapshot(db);
    const error = await migrate(db, [good, bad, never]).then(
      () => assert.fail("should throw"),
      (e) => e,
    );
    assert.ok(error instanceof MigrationError);
    assert.equal(error.version, 2);
    assert.match(error.message, /0002_bad_one/);
    assert.match(error.message, /syntax error/);
    assert.ok(
      !tables(db).includes("half"),
      "first statement of the failing file rolled back",
    );
    assert.ok(!tables(db).includes("never"), "later migrations not run");
    assert.deepEqual(db.prepare("SELECT x FROM kept").all().map((r) => r.x), [
      1,
    ]);
    assert.deepEqual(recorded(db), [{ version: 1, name: "good" }]);
    assert.deepEqual(snapshot(db), before);
    assert.equal(db.raw.isTransaction, false);
    assert.equal(
      db.prepare("PRAGMA foreign_keys").get()?.foreign_keys,
      1,
      "FKs back on",
    );
  }, { migrate: false });
});

Deno.test("a migration that breaks foreign keys is refused", async () => {
  await withTestDb(async (db) => {
    await migrate(db, [{
      version: 1,
      name: "parent_child",
      sql: `CREATE TABLE p (id INTEGER PRIMARY KEY);
            CREATE TABLE c (p_id INTEGER REFERENCES p (id));
            CREATE INDEX c_p ON c (p_id);`,
    }]);
    await assert.rejects(
      migrate(db, [{
        version: 2,
        name: "orphan",
        sql: "INSERT INTO c VALUES (42)",
      }]),
      /0002_orphan.*foreign key/,
    );
    assert.equal(db.prepare("SELECT count(*) AS n FROM c").get()?.n, 0);
  }, { migrate: false });
});

Deno.test("duplicate or invalid versions are rejected before anything runs", async () => {
  await withTestDb(async (db) => {
    await assert.rejects(
      migrate(db, [
        { version: 1, name: "a", sql: "CREATE TABLE a (x)" },
        { version: 1, name: "b", sql: "CREATE TABLE b (x)" },
      ]),
      /Two migrations have version 1/,
    );
    await assert.rejects(
      migrate(db, [{ version: 0, name: "z", sql: "" }]),
      /positive integer/,
    );
    assert.ok(!tables(db).includes("a"));
  }, { migrate: false });
});

Deno.test("migrate CLI applies pending migrations to DATABASE_PATH", async () => {
  const dir = await Deno.makeTempDir();
  const log = console.log;
  const lines: string[] = [];
  console.log = (...args: unknown[]) => lines.push(args.join(" "));
  try {
    const path = `${dir}/sub/cli.db`;
    assert.equal(await main(loadConfig({ DATABASE_PATH: path })), 0);
    assert.match(lines.join("\n"), /applied 0001/);
    assert.equal(await main(loadConfig({ DATABASE_PATH: path })), 0);
    assert.match(lines.join("\n"), /up to date/);
  } finally {
    console.log = log;
    await Deno.remove(dir, { recursive: true });
  }
});
