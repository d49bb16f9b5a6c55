import assert from "node:assert/strict";
import type { Db } from "./db.ts";
import { withTestDb } from "./testing.ts";
import { createUser } from "./users.ts";

function count(db: Db, table: string): number {
  return Number(db.prepare(`SELECT count(*) AS n FROM ${table}`).get()?.n);
}

/** Foreign-key columns (`table.column`) that lead no index, and how many FKs were seen. */
function unindexedForeignKeys(db: Db): { missing: string[]; checked: number } {
  const tableNames = db.prepare(
    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
  ).all().map((r) => String(r.name));
  let checked = 0;
  const missing: string[] = [];
  for (const table of tableNames) {
    const leading = new Set(
      db.raw.prepare(`PRAGMA index_list(${table})`).all().map((index) =>
        db.raw.prepare(`PRAGMA index_info(${String(index.name)})`).all()
          .find((col) => col.seqno === 0)?.name
      ),
    );
    for (
      const fk of db.raw.prepare(`PRAGMA foreign_key_list(${table})`).all()
    ) {
      checked++;
      if (!leading.has(fk.from)) missing.push(`${table}.${String(fk.from)}`);
    }
  }
  return { missing, checked };
}

Deno.test("every foreign-key column is the first column of an index", async () => {
  await withTestDb((db) => {
    const { missing, checked } = unindexedForeignKeys(db);
    assert.deepEqual(missing, []);
    // oauth_accounts, sessions, two token tables, recovery_codes,
    // subscriptions, preferences, audit_log
    assert.equal(checked, 8);
    // The check itself notices a missing index.
    db.raw.exec("CREATE TABLE probe (user_id TEXT REFERENCES users (id))");
    assert.deepEqual(unindexedForeignKeys(db).missing, ["probe.user_id"]);
  });
});

Deno.test("deleting a user cascades to owned rows and unlinks the audit log", async () => {
  await withTestDb((db) => {
    const user = createUser(db, {
      email: "gone@example.com",
      username: "gone",
    });
    const other = createUser(db, {
      email: "stays@example.com",
      username: "stays",
    });
    const now = Date.now();
    const hash = new Uint8Array(32);
    for (const id of [user.id, other.id]) {
      db.prepare(
        "INSERT INTO oauth_accounts (provider, provider_user_id, user_id, created_at) VALUES ('github', ?, ?, ?)",
      ).run(id, id, now);
      db.prepare(
        `INSERT INTO sessions (id, secret_hash, user_id, created_at, last_verified_at, expires_at)
         VALUES (?, ?, ?, ?, ?, ?)`,
      ).run(`s-${id}`, hash, id, now, now, now + 1000);
      const tokenHash = crypto.getRandomValues(new Uint8Array(32));
      db.prepare(
        "INSERT INTO email_verification_tokens (token_hash, user_id, email, created_at, expires_at) VALUES (?, ?, 'x', ?, ?)",
      ).run(tokenHash, id, now, now);
      db.prepare(
        "INSERT INTO password_reset_tokens (token_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)",
      ).run(tokenHash, id, now, now);
      db.prepare(
        "INSERT INTO recovery_codes (user_id, code_hash, created_at) VALUES (?, 'h', ?)",
      )
        .run(id, now);
      db.prepare(
        `INSERT INTO subscriptions (user_id, stripe_subscription_id, status, created_at, updated_at)
         VALUES (?, ?, 'active', ?, ?)`,
      ).run(id, `sub_${id}`, now, now);
      db.prepare(
        "INSERT INTO audit_log (user_id, event, created_at) VALUES (?, 'x', ?)",
      ).run(id, now);
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
    for (const t of owned) assert.equal(count(db, t), 2, t);

    db.prepare("DELETE FROM users WHERE id = ?").run(user.id);
    for (const t of owned) {
      assert.equal(count(db, t), 1, t);
      assert.equal(
        db.prepare(`SELECT user_id FROM ${t}`).get()?.user_id,
        other.id,
        t,
      );
    }
    assert.equal(count(db, "audit_log"), 2, "audit rows are kept");
    assert.equal(
      db.prepare("SELECT count(*) AS n FROM audit_log WHERE user_id IS NULL")
        .get()?.n,
      1,
    );
  });
});

Deno.test("foreign keys are enforced", async () => {
  await withTestDb((db) => {
    assert.throws(
      () =>
        db.prepare(
          `INSERT INTO sessions (id, secret_hash, user_id, created_at, last_verified_at, expires_at)
           VALUES ('s', ?, 'no-such-user', 0, 0, 0)`,
        ).run(new Uint8Array(32)),
      /FOREIGN KEY/,
    );
  });
});

Deno.test("e-mail and username are unique regardless of case", async () => {
  await withTestDb((db) => {
    const now = Date.now();
    const insert = db.prepare(
      "INSERT INTO users (id, email, username, created_at, updated_at) VALUES (?, ?, ?, ?, ?)",
    );
    insert.run(crypto.randomUUID(), "Ada@Example.com", "Ada", now, now);
    assert.throws(
      () =>
        insert.run(crypto.randomUUID(), "ada@EXAMPLE.COM", "other", now, now),
      /UNIQUE constraint failed: users.email/,
    );
    assert.throws(
      () => insert.run(crypto.randomUUID(), "b@example.com", "ADA", now, now),
      /UNIQUE constraint failed: users.username/,
    );
    assert.equal(
      db.prepare(
        "SELECT count(*) AS n FROM users WHERE email = 'ADA@example.COM'",
      ).get()?.n,
      1,
    );
  });
});

Deno.test("CHECK constraints keep enums and types valid", async () => {
  await withTestDb((db) => {
    const user = createUser(db, { email: "c@example.com", username: "c" });
    const now = Date.now();
    assert.throws(
      () =>
        db.prepare("UPDATE users SET subscription_tier = 'gold' WHERE id = ?")
          .run(user.id),
      /CHECK/,
    );
    for (const tier of ["free", "pro", "team"]) {
      db.prepare("UPDATE users SET subscription_tier = ? WHERE id = ?").run(
        tier,
        user.id,
      );
    }
    assert.throws(
      () =>
        db.prepare("UPDATE preferences SET theme = 'blue' WHERE user_id = ?")
          .run(user.id),
      /CHECK/,
    );
    assert.equal(
      db.prepare("SELECT theme, language FROM preferences WHERE user_id = ?")
        .get(user.id)?.theme,
      "system",
    );
    const sub = db.prepare(
      `INSERT INTO subscriptions (user_id, stripe_subscription_id, status, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?)`,
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
    ) sub.run(user.id, `sub_${status}`, status, now, now);
    assert.throws(
      () => sub.run(user.id, "sub_x", "cancelled", now, now),
      /CHECK/,
    );
    assert.throws(
      () =>
        db.prepare(
          "INSERT INTO oauth_accounts (provider, provider_user_id, user_id, created_at) VALUES ('facebook', '1', ?, ?)",
        ).run(user.id, now),
      /CHECK/,
    );
    assert.throws(
      () =>
        db.prepare(
          "INSERT INTO audit_log (event, created_at, details) VALUES ('x', ?, '{nope')",
        ).run(now),
      /CHECK/,
    );
    // STRICT: a string where an integer belongs is an error, not silently stored.
    assert.throws(
      () =>
        db.prepare("UPDATE users SET created_at = 'yesterday' WHERE id = ?")
          .run(user.id),
      /cannot store TEXT value in INTEGER column/,
    );
  });
});
