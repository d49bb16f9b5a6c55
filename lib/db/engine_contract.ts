/**
 * The behaviour every engine of the storage port (`db.ts`) must have,
 * written once and run against SQLite and PostgreSQL (test-only module):
 * what the query modules may rely on whichever engine is configured.
 *
 * @module
 */

import assert from "node:assert/strict";
import {
  bool,
  type Db,
  dialect,
  type Engine,
  type Queryable,
  UniqueViolationError,
} from "./db.ts";

/**
 * What the contract needs from an engine.
 *
 * @example
 * ```ts
 * import { openSqlite } from "./sqlite.ts";
 * const subject: EngineSubject = {
 *   engine: "sqlite",
 *   open: () => Promise.resolve(openSqlite("/tmp/contract.db")),
 * };
 * ```
 */
export interface EngineSubject {
  /** The engine the databases report. */
  engine: Engine;
  /**
   * Opens a database. Every call reaches the same data (one file, one
   * PostgreSQL database), as two app processes would; each step makes its
   * own tables, so no step sees another's rows.
   */
  open(): Promise<Db>;
}

/** Column types that the two engines spell differently. */
function types(db: Queryable) {
  return {
    bigint: "BIGINT", // INTEGER affinity on SQLite: 64-bit either way
    bytes: dialect(db, { sqlite: "BLOB", postgres: "BYTEA" }),
  };
}

/**
 * Registers the contract as steps of the running test.
 *
 * @example
 * ```ts
 * import { openSqlite } from "./sqlite.ts";
 * Deno.test("sqlite engine contract", async (t) => {
 *   const path = await Deno.makeTempFile({ suffix: ".db" });
 *   await engineContract(t, {
 *     engine: "sqlite",
 *     open: () => Promise.resolve(openSqlite(path)),
 *   });
 * });
 * ```
 */
export async function engineContract(
  t: Deno.TestContext,
  subject: EngineSubject,
): Promise<void> {
  // Table names unique to the run and step: a PostgreSQL database may be
  // shared by several runs (ISLET_TEST_PG_URL).
  const run = crypto.randomUUID().slice(0, 8);
  let n = 0;
  const table = (name: string) => `${name}_${run}_${n++}`;

  async function step(name: string, fn: (db: Db) => Promise<void>) {
    await t.step(name, async () => {
      const db = await subject.open();
      try {
        await fn(db);
      } finally {
        await db.close();
      }
    });
  }

  /** A table of (id, name, n, flag, note) for most steps. */
  async function items(db: Db): Promise<string> {
    const t = table("items");
    await db.exec(`CREATE TABLE ${t} (
      id INTEGER PRIMARY KEY NOT NULL,
      name TEXT NOT NULL,
      n ${types(db).bigint},
      flag INTEGER,
      note TEXT
    )`);
    return t;
  }

  const count = async (q: Queryable, t: string) =>
    (await q.get<{ n: number }>(`SELECT count(*) AS n FROM ${t}`))!.n;

  await step("engine and location", (db) => {
    assert.equal(db.engine, subject.engine);
    assert.equal(typeof db.location, "string");
    return db.ping();
  });

  await step("run, all, get, values", async (db) => {
    const t = await items(db);
    const insert = `INSERT INTO ${t} (id, name, n) VALUES (?, ?, ?)`;
    assert.deepEqual(await db.run(insert, [1, "one", 10]), { changes: 1 });
    assert.deepEqual(await db.run(insert, [2, "two", 20]), { changes: 1 });
    await db.run(insert, [3, "three", 30]);
    assert.deepEqual(
      await db.run(`UPDATE ${t} SET n = n + 1 WHERE n >= ?`, [20]),
      { changes: 2 },
    );
    assert.deepEqual(
      await db.run(`DELETE FROM ${t} WHERE id = ?`, [99]),
      { changes: 0 },
    );
    const rows = await db.all(`SELECT id, name, n FROM ${t} ORDER BY id`);
    assert.deepEqual(rows.map((r) => ({ ...r })), [
      { id: 1, name: "one", n: 10 },
      { id: 2, name: "two", n: 21 },
      { id: 3, name: "three", n: 31 },
    ]);
    assert.ok(Array.isArray(rows));
    const row = await db.get(`SELECT name FROM ${t} WHERE id = ?`, [2]);
    assert.deepEqual({ ...row }, { name: "two" });
    assert.equal(
      await db.get(`SELECT name FROM ${t} WHERE id = ?`, [42]),
      undefined,
    );
    assert.deepEqual(await db.all(`SELECT id FROM ${t} WHERE id > 9`), []);
    assert.deepEqual(
      await db.values(`SELECT id, name FROM ${t} WHERE id <= ? ORDER BY id`, [
        2,
      ]),
      [[1, "one"], [2, "two"]],
    );
    assert.deepEqual(await db.values(`SELECT id FROM ${t} WHERE id > 9`), []);
  });

  await step(
    "? placeholders: in order, ?1 reused, not inside literals",
    async (db) => {
      const t = await items(db);
      await db.run(`INSERT INTO ${t} (id, name, n, note) VALUES (?, ?, ?, ?)`, [
        1,
        "a?",
        5,
        "it's ?",
      ]);
      await db.run(`INSERT INTO ${t} (id, name, n) VALUES (?, ?, ?)`, [
        2,
        "b",
        7,
      ]);
      // ?1 used twice where PostgreSQL deduces one type for both uses (it
      // refuses one parameter as INTEGER here and BIGINT there).
      await db.run(`UPDATE ${t} SET name = ?1, note = ?1 WHERE id = ?2`, [
        "b!",
        2,
      ]);
      assert.deepEqual(
        await db.values(
          `SELECT id, name, note FROM ${t} WHERE n >= ?2 AND n <= ?2 OR id = ?1`,
          [99, 7],
        ),
        [[2, "b!", "b!"]],
      );
      assert.deepEqual(
        await db.values(
          `SELECT id, '?' AS q FROM ${t} -- a comment?
         WHERE note = 'it''s ?' /* and ? */ AND name = ?`,
          ["a?"],
        ),
        [[1, "?"]],
      );
    },
  );

  await step(
    "integers come back as numbers: Date.now(), counts, sums",
    async (db) => {
      const t = await items(db);
      const now = Date.now();
      await db.run(`INSERT INTO ${t} (id, name, n) VALUES (?, ?, ?)`, [
        1,
        "x",
        now,
      ]);
      await db.run(`INSERT INTO ${t} (id, name, n) VALUES (?, ?, ?)`, [
        2,
        "y",
        now + 1,
      ]);
      const row = await db.get<{ id: number; n: number }>(
        `SELECT id, n FROM ${t} WHERE n = ?`,
        [now],
      );
      assert.deepEqual({ ...row }, { id: 1, n: now });
      assert.equal(typeof row!.n, "number");
      const agg = await db.get(
        `SELECT count(*) AS c, sum(n) AS s, max(n) AS m FROM ${t}`,
      );
      assert.deepEqual({ ...agg }, { c: 2, s: 2 * now + 1, m: now + 1 });
      assert.deepEqual(
        await db.values(`SELECT n - ? FROM ${t} ORDER BY id`, [
          now,
        ]),
        [[0], [1]],
      );
    },
  );

  await step(
    "bytes round-trip as a Uint8Array and match as a key",
    async (db) => {
      const t = table("blobs");
      await db.exec(
        `CREATE TABLE ${t} (hash ${
          types(db).bytes
        } PRIMARY KEY NOT NULL, v TEXT)`,
      );
      const hash = crypto.getRandomValues(new Uint8Array(32));
      hash[0] = 0; // a NUL byte, which a text path would cut
      hash[1] = 255;
      await db.run(`INSERT INTO ${t} (hash, v) VALUES (?, ?)`, [hash, "h"]);
      await db.run(`INSERT INTO ${t} (hash, v) VALUES (?, ?)`, [
        new Uint8Array(0),
        "empty",
      ]);
      const row = await db.get<{ hash: Uint8Array; v: string }>(
        `SELECT hash, v FROM ${t} WHERE hash = ?`,
        [hash],
      );
      assert.equal(row?.v, "h");
      assert.ok(row.hash instanceof Uint8Array);
      assert.deepEqual([...row.hash], [...hash]);
      const [[empty]] = await db.values(`SELECT hash FROM ${t} WHERE v = ?`, [
        "empty",
      ]);
      assert.ok(empty instanceof Uint8Array);
      assert.equal(empty.length, 0);
    },
  );

  await step(
    "booleans bind as 1/0 flags and as conditions; NULL is null",
    async (db) => {
      const t = await items(db);
      await db.run(
        `INSERT INTO ${t} (id, name, flag, note) VALUES (?, ?, ?, ?)`,
        [
          1,
          "yes",
          true,
          "n",
        ],
      );
      await db.run(
        `INSERT INTO ${t} (id, name, flag, note) VALUES (?, ?, ?, ?)`,
        [
          2,
          "no",
          false,
          null,
        ],
      );
      assert.deepEqual(
        await db.values(`SELECT id, flag, note, n FROM ${t} ORDER BY id`),
        [[1, 1, "n", null], [2, 0, null, null]],
      );
      assert.deepEqual(
        await db.values(`SELECT id FROM ${t} WHERE flag = ?`, [true]),
        [[1]],
      );
      assert.deepEqual(
        await db.values(`SELECT id FROM ${t} WHERE (note IS NULL) = ?`, [true]),
        [[2]],
      );
      assert.deepEqual(
        await db.values(`SELECT id FROM ${t} WHERE (note IS NULL) = ?`, [
          false,
        ]),
        [[1]],
      );
      // An expression's boolean: 0/1 on SQLite, true/false on PostgreSQL.
      const [[isSet]] = await db.values(
        `SELECT note IS NOT NULL FROM ${t} WHERE id = 1`,
      );
      assert.equal(bool(isSet), true);
      const row = await db.get(`SELECT note FROM ${t} WHERE id = 2`);
      assert.equal(row?.note, null);
    },
  );

  await step("transaction commits and returns fn's value", async (db) => {
    const t = await items(db);
    const result = await db.transaction(async (tx) => {
      await tx.run(`INSERT INTO ${t} (id, name) VALUES (?, ?)`, [1, "a"]);
      await tx.run(`INSERT INTO ${t} (id, name) VALUES (?, ?)`, [2, "b"]);
      // A transaction reads its own writes.
      assert.equal(await count(tx, t), 2);
      return [await count(tx, t), "done"] as const;
    });
    assert.deepEqual(result, [2, "done"]);
    assert.equal(await count(db, t), 2);
    // Committed: a second connection sees it too.
    const other = await subject.open();
    try {
      assert.equal(await count(other, t), 2);
    } finally {
      await other.close();
    }
  });

  await step(
    "a throw rolls everything back and is rethrown as is",
    async (db) => {
      const t = await items(db);
      await db.run(`INSERT INTO ${t} (id, name) VALUES (?, ?)`, [1, "before"]);
      const boom = new Error("boom");
      await assert.rejects(
        db.transaction(async (tx) => {
          await tx.run(`INSERT INTO ${t} (id, name) VALUES (?, ?)`, [2, "a"]);
          await tx.run(`UPDATE ${t} SET name = ? WHERE id = ?`, ["changed", 1]);
          throw boom;
        }),
        (error) => error === boom,
      );
      assert.deepEqual(await db.values(`SELECT id, name FROM ${t}`), [
        [1, "before"],
      ]);
      // A failing statement rolls back the same way.
      await assert.rejects(
        db.transaction(async (tx) => {
          await tx.run(`INSERT INTO ${t} (id, name) VALUES (?, ?)`, [3, "c"]);
          await tx.run(`INSERT INTO ${t} (id, name) VALUES (?, ?)`, [1, "dup"]);
        }),
      );
      assert.equal(await count(db, t), 1);
      // And the database is usable after both.
      await db.transaction((tx) =>
        tx.run(`INSERT INTO ${t} (id, name) VALUES (?, ?)`, [4, "d"])
      );
      assert.equal(await count(db, t), 2);
    },
  );

  await step(
    "nested: an inner failure caught by the outer undoes only the inner part",
    async (db) => {
      const t = await items(db);
      const ids = await db.transaction(async (tx) => {
        await tx.run(`INSERT INTO ${t} (id, name) VALUES (?, ?)`, [1, "outer"]);
        await assert.rejects(
          tx.transaction(async (inner) => {
            await inner.run(`INSERT INTO ${t} (id, name) VALUES (?, ?)`, [
              2,
              "inner",
            ]);
            await inner.run(`UPDATE ${t} SET name = ? WHERE id = ?`, ["x", 1]);
            throw new Error("inner fails");
          }),
          /inner fails/,
        );
        // Savepoints nest twice over, and a successful one keeps its writes.
        const kept = await tx.transaction(async (inner) => {
          await inner.run(`INSERT INTO ${t} (id, name) VALUES (?, ?)`, [
            3,
            "kept",
          ]);
          await assert.rejects(
            inner.transaction(async (innermost) => {
              await innermost.run(`INSERT INTO ${t} (id, name) VALUES (?, ?)`, [
                4,
                "gone",
              ]);
              throw new Error("innermost fails");
            }),
          );
          return "kept";
        });
        assert.equal(kept, "kept");
        await tx.run(`INSERT INTO ${t} (id, name) VALUES (?, ?)`, [5, "after"]);
        return tx.values(`SELECT id, name FROM ${t} ORDER BY id`);
      });
      const expected = [[1, "outer"], [3, "kept"], [5, "after"]];
      assert.deepEqual(ids, expected);
      assert.deepEqual(
        await db.values(`SELECT id, name FROM ${t} ORDER BY id`),
        expected,
      );
    },
  );

  await step(
    "UNIQUE violation is UniqueViolationError naming table.column",
    async (db) => {
      const t = table("uniq");
      await db.exec(
        `CREATE TABLE ${t} (id INTEGER PRIMARY KEY NOT NULL, email TEXT NOT NULL UNIQUE)`,
      );
      await db.run(`INSERT INTO ${t} (id, email) VALUES (?, ?)`, [1, "a@x"]);
      const error = await db
        .run(`INSERT INTO ${t} (id, email) VALUES (?, ?)`, [2, "a@x"])
        .then(() => null, (e: unknown) => e);
      assert.ok(error instanceof UniqueViolationError, String(error));
      assert.equal(error.target, `${t}.email`);
      // The same inside a transaction, and the transaction rolls back.
      const inTx = await db
        .transaction(async (tx) => {
          await tx.run(`INSERT INTO ${t} (id, email) VALUES (?, ?)`, [
            3,
            "b@x",
          ]);
          await tx.run(`UPDATE ${t} SET email = ? WHERE id = ?`, ["a@x", 3]);
        })
        .then(() => null, (e: unknown) => e);
      assert.ok(inTx instanceof UniqueViolationError, String(inTx));
      assert.equal(inTx.target, `${t}.email`);
      assert.equal(await count(db, t), 1);
    },
  );

  await step(
    "a statement outside a transaction is not part of it",
    async (db) => {
      const t = await items(db);
      let outside: Promise<unknown> | undefined;
      await assert.rejects(
        db.transaction(async (tx) => {
          await tx.run(`INSERT INTO ${t} (id, name) VALUES (?, ?)`, [1, "tx"]);
          // Issued while the transaction is open and awaiting; not awaited
          // here (SQLite runs it once the transaction has ended).
          outside = db.run(`INSERT INTO ${t} (id, name) VALUES (?, ?)`, [
            2,
            "outside",
          ]);
          await new Promise((r) => setTimeout(r, 10));
          await tx.run(`INSERT INTO ${t} (id, name) VALUES (?, ?)`, [3, "tx"]);
          throw new Error("roll back");
        }),
        /roll back/,
      );
      await outside;
      assert.deepEqual(await db.values(`SELECT id, name FROM ${t}`), [
        [2, "outside"],
      ]);
    },
  );

  await step("concurrent transactions both commit", async (db) => {
    const t = await items(db);
    const write = (base: number) =>
      db.transaction(async (tx) => {
        await tx.run(`INSERT INTO ${t} (id, name) VALUES (?, ?)`, [base, "a"]);
        await new Promise((r) => setTimeout(r, 5));
        await tx.run(`INSERT INTO ${t} (id, name) VALUES (?, ?)`, [
          base + 1,
          "b",
        ]);
        return base;
      });
    assert.deepEqual(
      await Promise.all([write(10), write(20), write(30)]),
      [10, 20, 30],
    );
    assert.deepEqual(
      (await db.values(`SELECT id FROM ${t} ORDER BY id`)).flat(),
      [10, 11, 20, 21, 30, 31],
    );
  });

  await step("exec runs a script of several statements", async (db) => {
    const t = table("script");
    await db.exec(`
      CREATE TABLE ${t} (x INTEGER NOT NULL); -- a comment; with a semicolon
      CREATE INDEX ${t}_x ON ${t} (x);
      INSERT INTO ${t} (x) VALUES (1), (2);
    `);
    assert.equal(await count(db, t), 2);
  });

  await t.step("close: further use rejects", async () => {
    const db = await subject.open();
    await db.ping();
    await db.close();
    await assert.rejects(db.get("SELECT 1 AS one"));
  });
}
