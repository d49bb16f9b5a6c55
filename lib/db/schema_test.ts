import assert from "node:assert/strict";
import { bool, dialect, type Queryable, UniqueViolationError } from "./db.ts";
import type { SqliteDb } from "./sqlite.ts";
import { dbTest, withTestDb } from "./testing.ts";
import { createUser } from "./users.ts";

async function count(db: Queryable, table: string): Promise<number> {
  return Number((await db.get(`SELECT count(*) AS n FROM ${table}`))?.n);
}

/**
 * Every foreign key of the schema as `table.column`, with whether that
 * column leads an index (an index whose first column it is). The schema
 * has single-column foreign keys only, so the first column is the key.
 */
const FOREIGN_KEYS = {
  sqlite: `SELECT m.name AS tbl, f."from" AS col,
      EXISTS (
        SELECT 1 FROM pragma_index_list(m.name) AS l
        JOIN pragma_index_info(l.name) AS i
        WHERE i.seqno = 0 AND i.name = f."from"
      ) AS indexed
    FROM sqlite_master AS m JOIN pragma_foreign_key_list(m.name) AS f
    WHERE m.type = 'table'`,
  // conkey is a 1-based array, indkey a 0-based int2vector.
  postgres: `SELECT t.relname AS tbl, a.attname AS col,
      EXISTS (
        SELECT 1 FROM pg_index AS i
        WHERE i.indrelid = c.conrelid AND i.indkey[0] = c.conkey[1]
      ) AS indexed
    FROM pg_constraint AS c
    JOIN pg_class AS t ON t.oid = c.conrelid
    JOIN pg_attribute AS a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
    WHERE c.contype = 'f' AND t.relnamespace = current_schema()::regnamespace`,
};

/** Foreign-key columns (`table.column`) that lead no index, and how many FKs were seen. */
async function unindexedForeignKeys(
  db: Queryable,
): Promise<{ missing: string[]; checked: number }> {
  const fks = await db.all(dialect(db, FOREIGN_KEYS));
  const missing = fks.filter((fk) => !bool(fk.indexed))
    .map((fk) => `${String(fk.tbl)}.${String(fk.col)}`).sort();
  return { missing, checked: fks.length };
}

dbTest(
  "every foreign-key column is the first column of an index",
  async (db) => {
    const { missing, checked } = await unindexedForeignKeys(db);
    assert.deepEqual(missing, []);
    // oauth_accounts, sessions, two token tables, recovery_codes,
    // subscriptions, preferences, audit_log, email_change_tokens (0004),
    // security_notice_tokens (0005), billing_sync (0008)
    assert.equal(checked, 11);
    // The check itself notices a missing index, and an index that does not
    // lead with the column does not count.
    await db.exec(`CREATE TABLE probe_parent (id INTEGER PRIMARY KEY);
    CREATE TABLE probe (x INTEGER, parent_id INTEGER REFERENCES probe_parent (id));
    CREATE INDEX probe_x_parent ON probe (x, parent_id);`);
    assert.deepEqual((await unindexedForeignKeys(db)).missing, [
      "probe.parent_id",
    ]);
    await db.exec("CREATE INDEX probe_parent_id ON probe (parent_id)");
    assert.deepEqual((await unindexedForeignKeys(db)).missing, []);
  },
);

dbTest(
  "deleting a user cascades to owned rows and unlinks the audit log",
  async (db) => {
    const user = await createUser(db, {
      email: "gone@example.com",
      username: "gone",
    });
    const other = await createUser(db, {
      email: "stays@example.com",
      username: "stays",
    });
    const now = Date.now();
    const hash = new Uint8Array(32);
    for (const id of [user.id, other.id]) {
      await db.run(
        "INSERT INTO oauth_accounts (provider, provider_user_id, user_id, created_at) VALUES ('github', ?, ?, ?)",
        [id, id, now],
      );
      await db.run(
        `INSERT INTO sessions (id, secret_hash, user_id, created_at, last_verified_at, expires_at)
       VALUES (?, ?, ?, ?, ?, ?)`,
        [`s-${id}`, hash, id, now, now, now + 1000],
      );
      const tokenHash = crypto.getRandomValues(new Uint8Array(32));
      await db.run(
        "INSERT INTO email_verification_tokens (token_hash, user_id, email, created_at, expires_at) VALUES (?, ?, 'x', ?, ?)",
        [tokenHash, id, now, now],
      );
      await db.run(
        "INSERT INTO password_reset_tokens (token_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)",
        [tokenHash, id, now, now],
      );
      await db.run(
        "INSERT INTO recovery_codes (user_id, code_hash, created_at) VALUES (?, 'h', ?)",
        [id, now],
      );
      await db.run(
        `INSERT INTO subscriptions (user_id, stripe_subscription_id, status, created_at, updated_at)
       VALUES (?, ?, 'active', ?, ?)`,
        [id, `sub_${id}`, now, now],
      );
      await db.run(
        "INSERT INTO audit_log (user_id, event, created_at) VALUES (?, 'x', ?)",
        [id, now],
      );
    }
    const owned = [
      "oauth_accounts",
      "sessions",
      "email_verification_tokens",
      "password_reset_tokens",
      "recovery_codes",
      "subscriptions",
      "preferences",
    ];
    for (const t of owned) assert.equal(await count(db, t), 2, t);

    await db.run("DELETE FROM users WHERE id = ?", [user.id]);
    for (const t of owned) {
      assert.equal(await count(db, t), 1, t);
      assert.equal(
        (await db.get(`SELECT user_id FROM ${t}`))?.user_id,
        other.id,
        t,
      );
    }
    assert.equal(await count(db, "audit_log"), 2, "audit rows are kept");
    assert.equal(
      Number(
        (await db.get(
          "SELECT count(*) AS n FROM audit_log WHERE user_id IS NULL",
        ))?.n,
      ),
      1,
    );
  },
);

dbTest("foreign keys are enforced", async (db) => {
  await assert.rejects(
    db.run(
      `INSERT INTO sessions (id, secret_hash, user_id, created_at, last_verified_at, expires_at)
       VALUES ('s', ?, 'no-such-user', 0, 0, 0)`,
      [new Uint8Array(32)],
    ),
    /FOREIGN KEY/i,
  );
  assert.equal(await count(db, "sessions"), 0);
});

dbTest("e-mail and username are unique regardless of case", async (db) => {
  const now = Date.now();
  const insert = (email: string, username: string) =>
    db.run(
      "INSERT INTO users (id, email, username, created_at, updated_at) VALUES (?, ?, ?, ?, ?)",
      [crypto.randomUUID(), email, username, now, now],
    );
  // Raw inserts, not createUser: the schema itself must refuse, whatever
  // the code in front of it normalises.
  await insert("ada@example.com", "Ada");
  await assert.rejects(
    insert("ADA@example.COM", "other"),
    (e) =>
      // SQLite: the column is COLLATE NOCASE. PostgreSQL: only lower-case
      // addresses may be stored at all (a CHECK), so plain UNIQUE suffices.
      db.engine === "sqlite"
        ? e instanceof UniqueViolationError && e.target === "users.email"
        : e instanceof Error && /users_email_check/.test(e.message),
  );
  await assert.rejects(
    insert("ada@example.com", "other"),
    (e) => e instanceof UniqueViolationError && e.target === "users.email",
  );
  await assert.rejects(
    insert("b@example.com", "ADA"),
    (e) => e instanceof UniqueViolationError && e.target === "users.username",
  );
  assert.equal(await count(db, "users"), 1);
  // The lookup forms users.ts uses find the row whatever the case asked.
  const byEmail = dialect(db, {
    sqlite: "SELECT count(*) AS n FROM users WHERE email = ?",
    postgres: "SELECT count(*) AS n FROM users WHERE email = lower(?)",
  });
  assert.equal(Number((await db.get(byEmail, ["ADA@example.COM"]))?.n), 1);
  const byUsername = dialect(db, {
    sqlite: "SELECT count(*) AS n FROM users WHERE username = ?",
    postgres:
      "SELECT count(*) AS n FROM users WHERE lower(username) = lower(?)",
  });
  assert.equal(Number((await db.get(byUsername, ["aDA"]))?.n), 1);
});

dbTest("CHECK constraints keep enums and values valid", async (db) => {
  const user = await createUser(db, {
    email: "c@example.com",
    username: "c",
  });
  const now = Date.now();
  await assert.rejects(
    db.run("UPDATE users SET subscription_tier = 'gold' WHERE id = ?", [
      user.id,
    ]),
    /CHECK/i,
  );
  for (const tier of ["free", "pro", "team"]) {
    await db.run("UPDATE users SET subscription_tier = ? WHERE id = ?", [
      tier,
      user.id,
    ]);
  }
  await assert.rejects(
    db.run("UPDATE preferences SET theme = 'blue' WHERE user_id = ?", [
      user.id,
    ]),
    /CHECK/i,
  );
  assert.equal(
    (await db.get("SELECT theme, language FROM preferences WHERE user_id = ?", [
      user.id,
    ]))?.theme,
    "system",
  );
  const sub = (id: string, status: string) =>
    db.run(
      `INSERT INTO subscriptions (user_id, stripe_subscription_id, status, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?)`,
      [user.id, id, status, now, now],
    );
  for (
    const status of [
      "incomplete",
      "incomplete_expired",
      "trialing",
      "active",
      "past_due",
      "canceled",
      "unpaid",
      "paused",
    ]
  ) await sub(`sub_${status}`, status);
  await assert.rejects(sub("sub_x", "cancelled"), /CHECK/i);
  await assert.rejects(
    db.run(
      "INSERT INTO oauth_accounts (provider, provider_user_id, user_id, created_at) VALUES ('facebook', '1', ?, ?)",
      [user.id, now],
    ),
    /CHECK/i,
  );
  // SQLite: a json_valid CHECK; PostgreSQL: the column's JSON type.
  await assert.rejects(
    db.run(
      "INSERT INTO audit_log (event, created_at, details) VALUES ('x', ?, '{nope')",
      [now],
    ),
    /CHECK|json/i,
  );
  assert.equal(await count(db, "audit_log"), 0);
});

Deno.test("every table is STRICT, so a wrong type is an error, not stored [sqlite]", async () => {
  await withTestDb(async (db: SqliteDb) => {
    const tables = await db.all(
      "SELECT name, strict FROM pragma_table_list WHERE schema = 'main' AND type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> 'schema_migrations'",
    );
    assert.ok(tables.length >= 10, `${tables.length} tables`);
    assert.deepEqual(
      tables.filter((t) => t.strict !== 1).map((t) => t.name),
      [],
    );
    const user = await createUser(db, {
      email: "c@example.com",
      username: "c",
    });
    await assert.rejects(
      db.run("UPDATE users SET created_at = 'yesterday' WHERE id = ?", [
        user.id,
      ]),
      /cannot store TEXT value in INTEGER column/,
    );
  });
});
