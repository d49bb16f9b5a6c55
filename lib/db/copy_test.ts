import {
  deepStrictEqual,
  match,
  ok,
  rejects,
  strictEqual,
} from "node:assert/strict";
import { audit } from "./audit.ts";
import { claimEvent } from "./stripe_events.ts";
import { takeSyncTicket } from "./subscriptions.ts";
import { copyDatabase, CopyError } from "./copy.ts";
import { main } from "./copy_cli.ts";
import type { Db, Queryable, Row } from "./db.ts";
import { openPostgres } from "./postgres.ts";
import { insertSession } from "./sessions.ts";
import { openSqlite } from "./sqlite.ts";
import { createPgDatabase, dropPgDatabase, withTestDb } from "./testing.ts";
import { createUser } from "./users.ts";
import { enqueueEmail } from "../email/outbox_table.ts";

/** Users, their sessions (random secret hashes), audit rows with JSON, gaps in ids. */
async function fill(db: Queryable): Promise<void> {
  const now = 1_700_000_000_000;
  const users = [];
  for (
    const [email, username] of [
      ["ada@example.com", "ada"],
      ["zoë@example.com", "Zoë"],
      ["bob@example.com", "bob"],
    ]
  ) {
    users.push(await createUser(db, { email, username, passwordHash: "h" }));
  }
  for (const [i, user] of users.entries()) {
    for (let s = 0; s < 2; s++) {
      await insertSession(db, {
        id: `session-${i}-${s}`,
        secretHash: crypto.getRandomValues(new Uint8Array(32)),
        userId: user.id,
        createdAt: now + i,
        lastVerifiedAt: now + i,
        expiresAt: now + 86_400_000,
        twoFactorVerified: s === 1,
        secondFactorPending: false,
        authenticatedAt: now + i,
        ip: s === 0 ? "203.0.113.9" : null,
        userAgent: "Mozilla/5.0 (X11; Linux) «test»",
      });
    }
  }
  for (let i = 0; i < 6; i++) {
    await audit(db, {
      userId: i === 5 ? null : users[i % 3].id,
      event: "auth.sign_in",
      ip: "198.51.100.7",
      userAgent: null,
      details: i % 2 === 0
        ? { reason: "wrong_password", nested: { n: i, list: [1, "ü"] } }
        : null,
    }, now + i);
  }
  await takeSyncTicket(db, users[2].id);
  await claimEvent(db, {
    id: "evt_copy",
    type: "invoice.paid",
    token: "t",
    leaseMs: 60_000,
  }, now);
  // Ids that are not 1..n: the copy must keep them, not renumber.
  await db.run("DELETE FROM audit_log WHERE id IN (2, 4)");
  await db.run(
    "INSERT INTO recovery_codes (id, user_id, code_hash, created_at) VALUES (?, ?, ?, ?)",
    [40, users[0].id, "abc123", now],
  );
  await db.run(
    `INSERT INTO email_change_tokens
       (token_hash, user_id, purpose, old_email, new_email, created_at, expires_at)
     VALUES (?, ?, 'undo', ?, ?, ?, ?)`,
    [
      crypto.getRandomValues(new Uint8Array(32)),
      users[1].id,
      "zoë@example.com",
      "zoë@new.example",
      now,
      now + 7 * 86_400_000,
    ],
  );
  await enqueueEmail(db, {
    to: "ada@example.com",
    subject: "Confirm your email address",
    text: "Ünïcödé https://islet.example/verify?token=abc",
    html: "<p>Ünïcödé</p>",
    kind: "verify_email",
  }, now);
}

/** Every table's rows in key order, bytes as hex, for comparing engines. */
async function dump(db: Queryable): Promise<Record<string, Row[]>> {
  const out: Record<string, Row[]> = {};
  const keys: Record<string, string> = {
    users: "id",
    oauth_accounts: "id",
    sessions: "id",
    email_verification_tokens: "token_hash",
    password_reset_tokens: "token_hash",
    recovery_codes: "id",
    subscriptions: "id",
    stripe_events: "id",
    preferences: "user_id",
    audit_log: "id",
    security_notice_tokens: "token_hash",
    email_change_tokens: "token_hash",
    email_outbox: "id",
    billing_sync: "user_id",
  };
  for (const [table, key] of Object.entries(keys)) {
    const rows = await db.all(`SELECT * FROM ${table} ORDER BY ${key}`);
    out[table] = rows.map((row) =>
      Object.fromEntries(
        Object.entries(row).sort(([a], [b]) => a.localeCompare(b)).map((
          [k, v],
        ) => [k, v instanceof Uint8Array ? `bytes:${hex(v)}` : v]),
      )
    );
  }
  return out;
}

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

async function withPg<T>(fn: (db: Db, url: string) => Promise<T>): Promise<T> {
  const url = await createPgDatabase(true);
  const db = await openPostgres(url, { poolSize: 2 });
  try {
    return await fn(db, url);
  } finally {
    await db.close();
    await dropPgDatabase(url);
  }
}

Deno.test("db copy: SQLite → PostgreSQL → SQLite keeps every row, id, byte and JSON text", async () => {
  await withTestDb(async (sqlite) => {
    await fill(sqlite);
    const original = await dump(sqlite);
    strictEqual(original.sessions.length, 6);
    strictEqual(original.audit_log.length, 4);
    strictEqual(original.email_outbox.length, 1);
    await withPg(async (pg, url) => {
      const copied = await copyDatabase(sqlite, pg);
      // Parents first: users before what references them.
      const order = copied.map((t) => t.table);
      ok(order.indexOf("users") < order.indexOf("sessions"));
      ok(order.indexOf("users") < order.indexOf("audit_log"));
      for (const t of copied) {
        strictEqual(t.target, original[t.table].length, t.table);
      }
      deepStrictEqual(await dump(pg), original);

      // The identity counters moved past the copied ids.
      const next = await audit(pg, {
        userId: null,
        event: "auth.sign_out",
        ip: null,
        userAgent: null,
        details: null,
      });
      strictEqual(next, 7);
      await pg.run(
        "INSERT INTO recovery_codes (user_id, code_hash, created_at) SELECT id, 'x', 1 FROM users LIMIT 1",
      );
      const onPg = await dump(pg);

      // And back, through the task, into a new SQLite file.
      const dir = await Deno.makeTempDir({ prefix: "islet-copy-" });
      try {
        const path = `${dir}/back.db`;
        strictEqual(await main([url, path]), 0);
        const back = openSqlite(path);
        try {
          deepStrictEqual(await dump(back), onPg);
          // SQLite's own counter continues too.
          strictEqual(
            await audit(back, {
              userId: null,
              event: "auth.sign_out",
              ip: null,
              userAgent: null,
              details: null,
            }),
            8,
          );
        } finally {
          await back.close();
        }
      } finally {
        await Deno.remove(dir, { recursive: true });
      }
    });
  });
});

Deno.test("db copy: a target with rows is refused unless told to replace them", async () => {
  await withTestDb(async (sqlite) => {
    await fill(sqlite);
    await withPg(async (pg) => {
      await createUser(pg, { email: "other@example.com", username: "other" });
      await rejects(
        copyDatabase(sqlite, pg),
        (e) => e instanceof CopyError && /already has rows/.test(e.message),
      );
      strictEqual((await pg.all("SELECT id FROM users")).length, 1);
      await copyDatabase(sqlite, pg, { replace: true });
      deepStrictEqual(await dump(pg), await dump(sqlite));
    });
  });
});

Deno.test("db copy: a row the target refuses leaves the target as it was", async () => {
  await withTestDb(async (sqlite) => {
    await fill(sqlite);
    // Distinct under SQLite's NOCASE (ASCII only), one name under
    // PostgreSQL's lower(): the second users row is refused.
    await createUser(sqlite, { email: "asa1@example.com", username: "Åsa" });
    await createUser(sqlite, { email: "asa2@example.com", username: "åsa" });
    await withPg(async (pg) => {
      await rejects(copyDatabase(sqlite, pg), /UNIQUE|unique/);
      for (const table of ["users", "sessions", "audit_log", "preferences"]) {
        const row = await pg.get<{ n: number }>(
          `SELECT count(*) AS n FROM ${table}`,
        );
        strictEqual(row?.n, 0, table);
      }
    });
  });
});

Deno.test("db copy: databases at different schema versions are refused", async () => {
  await withTestDb(async (empty) => {
    await withPg(async (pg) => {
      await rejects(
        copyDatabase(empty, pg),
        (e) =>
          e instanceof CopyError && /different schema versions/.test(e.message),
      );
    });
  }, { migrate: false });
});

Deno.test("db copy task: usage, and a missing source file", async () => {
  strictEqual(await main(["only-one"]), 2);
  const dir = await Deno.makeTempDir();
  try {
    strictEqual(await main([`${dir}/missing.db`, `${dir}/new.db`]), 1);
    // The missing source was not created as an empty database.
    await rejects(Deno.stat(`${dir}/missing.db`));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
  match(String(CopyError.name), /CopyError/);
});
