import assert from "node:assert/strict";
import { openDatabase } from "./db.ts";
import { withTestDb } from "./testing.ts";

function pragma(db: ReturnType<typeof openDatabase>, name: string): unknown {
  return Object.values(db.raw.prepare(`PRAGMA ${name}`).get() ?? {})[0];
}

Deno.test("openDatabase creates the parent folder and sets every pragma", async () => {
  await withTestDb(async (db, path) => {
    assert.ok((await Deno.stat(path)).isFile);
    assert.equal(pragma(db, "journal_mode"), "wal");
    assert.equal(pragma(db, "busy_timeout"), 5000);
    assert.equal(pragma(db, "foreign_keys"), 1);
    assert.equal(pragma(db, "synchronous"), 1); // NORMAL
  }, { migrate: false });
});

Deno.test("WAL persists: a second connection to the file sees WAL and the data", async () => {
  await withTestDb((db, path) => {
    db.raw.exec("CREATE TABLE t (x INTEGER)");
    db.prepare("INSERT INTO t VALUES (?)").run(1);
    const other = openDatabase(path);
    try {
      assert.equal(pragma(other, "journal_mode"), "wal");
      assert.deepEqual({ ...other.prepare("SELECT x FROM t").get() }, { x: 1 });
    } finally {
      other.close();
    }
  }, { migrate: false });
});

Deno.test("openDatabase accepts :memory:", () => {
  const db = openDatabase(":memory:");
  assert.equal(pragma(db, "foreign_keys"), 1);
  db.close();
});

Deno.test("prepare caches statements by SQL text", async () => {
  await withTestDb((db) => {
    const a = db.prepare("SELECT 1 AS one");
    assert.equal(db.prepare("SELECT 1 AS one"), a);
    assert.notEqual(db.prepare("SELECT 2 AS two"), a);
  }, { migrate: false });
});

Deno.test("transaction commits and returns the callback's value", async () => {
  await withTestDb((db) => {
    db.raw.exec("CREATE TABLE t (x INTEGER)");
    const result = db.transaction(() => {
      db.prepare("INSERT INTO t VALUES (?)").run(1);
      db.prepare("INSERT INTO t VALUES (?)").run(2);
      return "done";
    });
    assert.equal(result, "done");
    assert.equal(db.prepare("SELECT count(*) AS n FROM t").get()?.n, 2);
    assert.equal(db.raw.isTransaction, false);
  }, { migrate: false });
});

Deno.test("transaction rollback leaves no half-written rows and rethrows", async () => {
  await withTestDb((db) => {
    db.raw.exec("CREATE TABLE t (x INTEGER NOT NULL)");
    assert.throws(
      () =>
        db.transaction(() => {
          db.prepare("INSERT INTO t VALUES (?)").run(1);
          db.prepare("INSERT INTO t VALUES (?)").run(null); // NOT NULL fails
        }),
      /NOT NULL/,
    );
    assert.equal(db.prepare("SELECT count(*) AS n FROM t").get()?.n, 0);
    assert.equal(db.raw.isTransaction, false);
    const boom = new Error("boom");
    assert.throws(() =>
      db.transaction(() => {
        db.prepare("INSERT INTO t VALUES (?)").run(1);
        throw boom;
      }), boom);
    assert.equal(db.prepare("SELECT count(*) AS n FROM t").get()?.n, 0);
    // Still usable afterwards.
    db.transaction(() => db.prepare("INSERT INTO t VALUES (?)").run(3));
    assert.equal(db.prepare("SELECT count(*) AS n FROM t").get()?.n, 1);
  }, { migrate: false });
});

Deno.test("nested transactions are savepoints: an inner failure undoes only the inner part", async () => {
  await withTestDb((db) => {
    db.raw.exec("CREATE TABLE t (x INTEGER)");
    db.transaction(() => {
      db.prepare("INSERT INTO t VALUES (?)").run(1);
      assert.throws(() =>
        db.transaction(() => {
          db.prepare("INSERT INTO t VALUES (?)").run(2);
          db.transaction(() => db.prepare("INSERT INTO t VALUES (?)").run(3));
          throw new Error("inner");
        }), /inner/);
      db.transaction(() => db.prepare("INSERT INTO t VALUES (?)").run(4));
    });
    const xs = db.prepare("SELECT x FROM t ORDER BY x").all().map((r) => r.x);
    assert.deepEqual(xs, [1, 4]);

    // An outer failure undoes committed inner savepoints too.
    assert.throws(() =>
      db.transaction(() => {
        db.transaction(() => db.prepare("INSERT INTO t VALUES (?)").run(5));
        throw new Error("outer");
      }), /outer/);
    assert.equal(db.prepare("SELECT count(*) AS n FROM t").get()?.n, 2);
    assert.equal(db.raw.isTransaction, false);
  }, { migrate: false });
});

Deno.test("transaction refuses an async callback and rolls back", async () => {
  await withTestDb((db) => {
    db.raw.exec("CREATE TABLE t (x INTEGER)");
    assert.throws(
      () =>
        db.transaction(() => {
          db.prepare("INSERT INTO t VALUES (?)").run(1);
          return Promise.resolve();
        }),
      /synchronous/,
    );
    assert.equal(db.prepare("SELECT count(*) AS n FROM t").get()?.n, 0);
  }, { migrate: false });
});

Deno.test("close makes further use throw", () => {
  const db = openDatabase(":memory:");
  db.close();
  assert.throws(() => db.prepare("SELECT 1"));
});

Deno.test({
  name:
    "openDatabase: file, -wal and -shm 0600, created folders 0700, whatever the umask",
  ignore: Deno.build.os === "windows",
  fn: async () => {
    const root = await Deno.makeTempDir({ prefix: "islet-perm-" });
    // A permissive umask, as some hosts and containers have.
    const oldUmask = Deno.umask(0o000);
    try {
      const path = `${root}/nested/data/islet.db`;
      const db = openDatabase(path);
      try {
        db.raw.exec("CREATE TABLE t (x INTEGER)");
        db.prepare("INSERT INTO t VALUES (1)").run();
        for (const file of [path, `${path}-wal`, `${path}-shm`]) {
          assert.equal(Deno.statSync(file).mode! & 0o777, 0o600, file);
        }
        for (const dir of [`${root}/nested`, `${root}/nested/data`]) {
          assert.equal(Deno.statSync(dir).mode! & 0o777, 0o700, dir);
        }
      } finally {
        db.close();
      }
      // The folder that already existed is not touched.
      assert.equal(Deno.statSync(root).mode! & 0o777, 0o700);

      // A database made by an older version (world-readable) is tightened.
      const old = `${root}/old.db`;
      const first = openDatabase(old);
      first.raw.exec("CREATE TABLE t (x INTEGER)");
      first.close();
      Deno.chmodSync(old, 0o644);
      const again = openDatabase(old);
      try {
        assert.equal(Deno.statSync(old).mode! & 0o777, 0o600);
      } finally {
        again.close();
      }
    } finally {
      Deno.umask(oldUmask);
      await Deno.remove(root, { recursive: true });
    }
  },
});
