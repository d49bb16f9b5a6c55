import { deepStrictEqual, match, ok, strictEqual } from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { backupName, backupSqlite } from "./backup.ts";
import { main } from "./backup_cli.ts";
import { loadConfig } from "../config.ts";
import { withTestDb } from "./testing.ts";

const ROOT = new URL("../..", import.meta.url).pathname;

/** Every table's row count, read straight from the file. */
function counts(path: string): Record<string, number> {
  const db = new DatabaseSync(path, { readOnly: true });
  try {
    const tables = db.prepare(
      "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
    ).all() as { name: string }[];
    return Object.fromEntries(
      tables.map(({ name }) => [
        name,
        Number(
          (db.prepare(`SELECT count(*) AS n FROM "${name}"`).get() as {
            n: number;
          }).n,
        ),
      ]),
    );
  } finally {
    db.close();
  }
}

/**
 * Another process writing the database as the app does: each sign-up is a
 * transaction of a users row and its preferences row, followed by an audit
 * row. Runs until `stop` exists.
 */
function startWriter(path: string, stop: string): Deno.ChildProcess {
  const script = `
    import { openSqlite } from "${ROOT}lib/db/sqlite.ts";
    import { createUser } from "${ROOT}lib/db/users.ts";
    import { audit } from "${ROOT}lib/db/audit.ts";
    const db = openSqlite(${JSON.stringify(path)});
    for (let i = 0; ; i++) {
      try { Deno.statSync(${
    JSON.stringify(stop)
  }); break; } catch { /* go on */ }
      const u = await createUser(db, { email: "w" + i + "@example.com", username: "w" + i });
      await audit(db, { userId: u.id, event: "auth.sign_up", ip: null, userAgent: null, details: { i } });
    }
    await db.close();
  `;
  return new Deno.Command(Deno.execPath(), {
    args: ["eval", "--ext=ts", script],
    cwd: ROOT,
    stdout: "null",
    stderr: "inherit",
  }).spawn();
}

Deno.test("backup: a consistent copy while another process writes, owner-only, then the same row counts", async () => {
  // The test's own connection stays open, as the app's would.
  await withTestDb(async (_db, path) => {
    const dir = path.replace(/[^/]+$/, "");
    const stop = `${dir}stop`;
    const writer = startWriter(path, stop);
    let first: string;
    try {
      // Wait for writes to be under way.
      for (let i = 0; i < 200 && (counts(path).users ?? 0) < 20; i++) {
        await new Promise((r) => setTimeout(r, 50));
      }
      ok(counts(path).users >= 20, "the writer is writing");
      const out = await new Deno.Command(Deno.execPath(), {
        args: ["task", "backup"],
        cwd: ROOT,
        env: { DATABASE_PATH: path, DATABASE_URL: "" },
        stdout: "piped",
        stderr: "piped",
      }).output();
      const stderr = new TextDecoder().decode(out.stderr);
      strictEqual(out.code, 0, stderr);
      first = new TextDecoder().decode(out.stdout).trim();
      match(first, /\/backups\/islet-\d{8}T\d{6}Z(-\d+)?\.db$/);
      strictEqual(first.slice(0, dir.length), dir);
    } finally {
      await Deno.writeTextFile(stop, "");
      strictEqual((await writer.status).code, 0);
    }
    if (Deno.build.os !== "windows") {
      strictEqual(Deno.statSync(first).mode! & 0o777, 0o600);
      strictEqual(Deno.statSync(`${dir}backups`).mode! & 0o777, 0o700);
    }
    // One snapshot: every sign-up's two rows are both in it or both not.
    const copy = counts(first);
    ok(copy.users > 0);
    strictEqual(copy.preferences, copy.users);
    ok(copy.audit_log === copy.users || copy.audit_log === copy.users - 1);

    // At rest, a backup has exactly the database's row counts.
    const second = backupSqlite(path, `${dir}backups`);
    ok(second !== first);
    deepStrictEqual(counts(second), counts(path));
    ok(counts(path).users > copy.users, "writes went on during the backup");
  });
});

Deno.test("backup: refuses with DATABASE_URL set and names pg_dump, without the password", () => {
  const errors: string[] = [];
  const original = console.error;
  console.error = (...args: unknown[]) => errors.push(args.join(" "));
  try {
    const code = main(
      loadConfig({ DATABASE_URL: "postgres://islet:hunter2@db:5432/islet" }),
      [],
    );
    strictEqual(code, 1);
  } finally {
    console.error = original;
  }
  const text = errors.join("\n");
  match(text, /pg_dump/);
  ok(!text.includes("hunter2"));
});

Deno.test("backup: a missing database is an error, not a new empty file", async () => {
  const dir = await Deno.makeTempDir();
  try {
    let message = "";
    try {
      backupSqlite(`${dir}/none.db`, `${dir}/backups`);
    } catch (error) {
      message = (error as Error).message;
    }
    match(message, /No SQLite database/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("backupName: UTC, to the second", () => {
  strictEqual(
    backupName(new Date("2026-01-02T03:04:05.678Z")),
    "islet-20260102T030405Z.db",
  );
});
