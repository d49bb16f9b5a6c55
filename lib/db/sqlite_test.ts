// The SQLite engine's own behaviour: pragmas, files, the statement cache
// and how one connection is shared between transactions and statements
// outside them. What every engine must do is in engine_contract_test.ts.
import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { DatabaseUnavailableError } from "./db.ts";
import { openSqlite, type SqliteDb } from "./sqlite.ts";
import { withTestDb } from "./testing.ts";

async function pragma(db: SqliteDb, name: string): Promise<unknown> {
  return Object.values((await db.get(`PRAGMA ${name}`)) ?? {})[0];
}

async function xs(db: SqliteDb): Promise<unknown[]> {
  return (await db.all("SELECT x FROM t ORDER BY x")).map((r) => r.x);
}

/** Lets every pending microtask and one macrotask turn run. */
function turn(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

Deno.test("openSqlite creates the parent folder and sets every pragma", async () => {
  await withTestDb(async (db, path) => {
    assert.ok((await Deno.stat(path)).isFile);
    assert.equal(await pragma(db, "journal_mode"), "wal");
    assert.equal(await pragma(db, "busy_timeout"), 5000);
    assert.equal(await pragma(db, "foreign_keys"), 1);
    assert.equal(await pragma(db, "synchronous"), 1); // NORMAL
    assert.equal(db.location, path);
    await db.ping();
  }, { migrate: false });
});

Deno.test("WAL persists: a second connection to the file sees WAL and the data", async () => {
  await withTestDb(async (db, path) => {
    await db.exec("CREATE TABLE t (x INTEGER)");
    await db.run("INSERT INTO t VALUES (?)", [1]);
    const other = openSqlite(path);
    try {
      assert.equal(await pragma(other, "journal_mode"), "wal");
      assert.deepEqual({ ...await other.get("SELECT x FROM t") }, { x: 1 });
    } finally {
      await other.close();
    }
  }, { migrate: false });
});

Deno.test("openSqlite accepts :memory:", async () => {
  const db = openSqlite(":memory:");
  try {
    assert.equal(await pragma(db, "foreign_keys"), 1);
  } finally {
    await db.close();
  }
});

Deno.test("statements are prepared once per SQL text", async () => {
  await withTestDb(async (db) => {
    // wrap() calls raw.prepare: an own property on the handle sees each call.
    const prepared: string[] = [];
    const prepare = db.raw.prepare.bind(db.raw);
    Object.assign(db.raw, {
      prepare: (sql: string) => {
        prepared.push(sql);
        return prepare(sql);
      },
    });
    for (let i = 0; i < 3; i++) {
      assert.deepEqual({ ...await db.get("SELECT 1 AS one") }, { one: 1 });
      assert.deepEqual(await db.values("SELECT 1 AS one"), [[1]]);
    }
    await db.get("SELECT 2 AS two");
    // Object rows and array rows need differently configured statements.
    assert.deepEqual(prepared, [
      "SELECT 1 AS one",
      "SELECT 1 AS one",
      "SELECT 2 AS two",
    ]);
  }, { migrate: false });
});

Deno.test("transaction commits and returns the callback's value", async () => {
  await withTestDb(async (db) => {
    await db.exec("CREATE TABLE t (x INTEGER)");
    const result = await db.transaction(async (tx) => {
      await tx.run("INSERT INTO t VALUES (?)", [1]);
      await tx.run("INSERT INTO t VALUES (?)", [2]);
      assert.equal(db.raw.isTransaction, true);
      return "done";
    });
    assert.equal(result, "done");
    assert.deepEqual(await xs(db), [1, 2]);
    assert.equal(db.raw.isTransaction, false);
  }, { migrate: false });
});

Deno.test("transaction rollback leaves no half-written rows and rethrows", async () => {
  await withTestDb(async (db) => {
    await db.exec("CREATE TABLE t (x INTEGER NOT NULL)");
    await assert.rejects(
      db.transaction(async (tx) => {
        await tx.run("INSERT INTO t VALUES (?)", [1]);
        await tx.run("INSERT INTO t VALUES (?)", [null]); // NOT NULL fails
      }),
      /NOT NULL/,
    );
    assert.deepEqual(await xs(db), []);
    assert.equal(db.raw.isTransaction, false);
    const boom = new Error("boom");
    await assert.rejects(
      db.transaction(async (tx) => {
        await tx.run("INSERT INTO t VALUES (?)", [1]);
        throw boom;
      }),
      (e) => e === boom,
    );
    assert.deepEqual(await xs(db), []);
    // Still usable afterwards.
    await db.transaction((tx) => tx.run("INSERT INTO t VALUES (?)", [3]));
    assert.deepEqual(await xs(db), [3]);
  }, { migrate: false });
});

Deno.test("a COMMIT that fails rolls back and leaves the connection usable", async () => {
  await withTestDb(async (db) => {
    await db.exec(`CREATE TABLE p (id INTEGER PRIMARY KEY);
      CREATE TABLE c (p_id INTEGER REFERENCES p (id) DEFERRABLE INITIALLY DEFERRED);`);
    // A deferred foreign key is checked at COMMIT, after the callback returned.
    await assert.rejects(
      db.transaction((tx) => tx.run("INSERT INTO c VALUES (42)")),
      /FOREIGN KEY/,
    );
    assert.equal(db.raw.isTransaction, false);
    assert.equal((await db.get("SELECT count(*) AS n FROM c"))?.n, 0);
    await db.transaction((tx) => tx.run("INSERT INTO p VALUES (1)"));
    assert.equal((await db.get("SELECT count(*) AS n FROM p"))?.n, 1);
  }, { migrate: false });
});

Deno.test("nested transactions are savepoints: an inner failure undoes only the inner part", async () => {
  await withTestDb(async (db) => {
    await db.exec("CREATE TABLE t (x INTEGER)");
    await db.transaction(async (tx) => {
      await tx.run("INSERT INTO t VALUES (?)", [1]);
      await assert.rejects(
        tx.transaction(async (inner) => {
          await inner.run("INSERT INTO t VALUES (?)", [2]);
          await inner.transaction((deepest) =>
            deepest.run("INSERT INTO t VALUES (?)", [3])
          );
          throw new Error("inner");
        }),
        /inner/,
      );
      await tx.transaction((inner) =>
        inner.run("INSERT INTO t VALUES (?)", [4])
      );
    });
    assert.deepEqual(await xs(db), [1, 4]);

    // An outer failure undoes released inner savepoints too.
    await assert.rejects(
      db.transaction(async (tx) => {
        await tx.transaction((inner) =>
          inner.run("INSERT INTO t VALUES (?)", [5])
        );
        throw new Error("outer");
      }),
      /outer/,
    );
    assert.deepEqual(await xs(db), [1, 4]);
    assert.equal(db.raw.isTransaction, false);
  }, { migrate: false });
});

for (const outcome of ["commits", "rolls back"] as const) {
  Deno.test(`a statement issued outside a running transaction waits for it, and stays when it ${outcome}`, async () => {
    await withTestDb(async (db) => {
      await db.exec("CREATE TABLE t (x INTEGER)");
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      let seenInside: unknown[] = [];
      const transaction = db.transaction(async (tx) => {
        await tx.run("INSERT INTO t VALUES (1)");
        await gate; // awaiting something else, as a request handler does
        seenInside = (await tx.all("SELECT x FROM t ORDER BY x")).map((r) =>
          r.x
        );
        if (outcome === "rolls back") throw new Error("rolled back");
      });
      transaction.catch(() => {}); // awaited below
      await turn(); // the transaction is open and waiting at the gate
      assert.equal(db.raw.isTransaction, true);

      let done = false;
      const outside = db.run("INSERT INTO t VALUES (2)").then(() => {
        done = true;
      });
      const read = db.all("SELECT x FROM t ORDER BY x");
      await turn();
      assert.equal(done, false, "queued while the transaction is open");

      release();
      if (outcome === "commits") await transaction;
      else await assert.rejects(transaction, /rolled back/);
      await outside;

      assert.deepEqual(seenInside, [1], "not swept into the transaction");
      const after = outcome === "commits" ? [1, 2] : [2];
      assert.deepEqual(await xs(db), after, "not rolled back with it");
      // Queued statements run in the order they were issued, after the end.
      assert.deepEqual((await read).map((r) => r.x), after);
      assert.equal(db.raw.isTransaction, false);
    }, { migrate: false });
  });
}

Deno.test("transactions on one connection run one after the other", async () => {
  await withTestDb(async (db) => {
    await db.exec("CREATE TABLE t (x INTEGER)");
    const log: string[] = [];
    const one = (name: string) =>
      db.transaction(async (tx) => {
        log.push(`${name} begin`);
        await turn();
        await tx.run("INSERT INTO t VALUES (?)", [log.length]);
        log.push(`${name} end`);
      });
    await Promise.all([one("a"), one("b")]);
    assert.deepEqual(log, ["a begin", "a end", "b begin", "b end"]);
    assert.equal(db.raw.isTransaction, false);
  }, { migrate: false });
});

Deno.test("a write lock held by another connection past the wait is DatabaseUnavailableError", async () => {
  await withTestDb(async (db, path) => {
    await db.exec("CREATE TABLE t (x INTEGER)");
    // Do not wait the production 5 s for a lock that is never released.
    await db.exec("PRAGMA busy_timeout = 0");
    const other = new DatabaseSync(path);
    try {
      other.exec("BEGIN IMMEDIATE");
      other.exec("INSERT INTO t VALUES (9)");
      await assert.rejects(
        db.run("INSERT INTO t VALUES (1)"),
        DatabaseUnavailableError,
      );
      await assert.rejects(
        db.transaction((tx) => tx.run("INSERT INTO t VALUES (2)")),
        DatabaseUnavailableError,
      );
      // WAL: reading does not wait for the writer, and sees its last commit.
      assert.deepEqual(await xs(db), []);
      other.exec("COMMIT");
      // The failed BEGIN did not leave the connection marked busy.
      await db.transaction((tx) => tx.run("INSERT INTO t VALUES (3)"));
      assert.deepEqual(await xs(db), [3, 9]);
    } finally {
      other.close();
    }
  }, { migrate: false });
});

Deno.test("close makes further use reject", async () => {
  const db = openSqlite(":memory:");
  await db.close();
  await assert.rejects(db.get("SELECT 1"));
});

Deno.test({
  name:
    "openSqlite: file, -wal and -shm 0600, created folders 0700, whatever the umask",
  ignore: Deno.build.os === "windows",
  fn: async () => {
    const root = await Deno.makeTempDir({ prefix: "islet-perm-" });
    // A permissive umask, as some hosts and containers have.
    const oldUmask = Deno.umask(0o000);
    try {
      const path = `${root}/nested/data/islet.db`;
      const db = openSqlite(path);
      try {
        await db.exec("CREATE TABLE t (x INTEGER)");
        await db.run("INSERT INTO t VALUES (1)");
        for (const file of [path, `${path}-wal`, `${path}-shm`]) {
          assert.equal(Deno.statSync(file).mode! & 0o777, 0o600, file);
        }
        for (const dir of [`${root}/nested`, `${root}/nested/data`]) {
          assert.equal(Deno.statSync(dir).mode! & 0o777, 0o700, dir);
        }
      } finally {
        await db.close();
      }
      // The folder that already existed is not touched.
      assert.equal(Deno.statSync(root).mode! & 0o777, 0o700);

      // A database made by an older version (world-readable) is tightened.
      const old = `${root}/old.db`;
      const first = openSqlite(old);
      await first.exec("CREATE TABLE t (x INTEGER)");
      await first.close();
      Deno.chmodSync(old, 0o644);
      const again = openSqlite(old);
      try {
        assert.equal(Deno.statSync(old).mode! & 0o777, 0o600);
      } finally {
        await again.close();
      }
    } finally {
      Deno.umask(oldUmask);
      await Deno.remove(root, { recursive: true });
    }
  },
});
