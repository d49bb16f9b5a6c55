/**
 * Test helpers of the account rules: provider identities, the rules'
 * dependencies over a test database with mail in the real outbox table,
 * a snapshot of every row of every table (to prove a refusal wrote
 * nothing), and a database that lies once about a name or address being
 * free, to replay the race where another sign-up takes it between the
 * check and the insert.
 *
 * @module
 */
import type { Db, Queryable, Row, SqlValue } from "../db/db.ts";
import {
  type AccountFixture,
  accountFixture,
} from "../auth/account_testing.ts";
import { mailDeps } from "../auth/mail_testing.ts";
import type { OAuthAccountDeps } from "./accounts.ts";
import type { ProviderIdentity } from "./provider.ts";

/**
 * A GitHub identity (verified `ada@example.com`, login `octocat`), with
 * `over` applied.
 *
 * @example
 * ```ts
 * const unverified = testIdentity({ emailVerified: false });
 * ```
 */
export function testIdentity(
  over: Partial<ProviderIdentity> = {},
): ProviderIdentity {
  return {
    provider: "github",
    providerId: "github",
    providerName: "GitHub",
    providerUserId: "583231",
    email: "ada@example.com",
    emailVerified: true,
    login: "octocat",
    name: "The Octocat",
    label: "octocat",
    ...over,
  };
}

/**
 * The account fixture, with its deps' mail going to the outbox table
 * (read it with `queuedMail` of `lib/auth/mail_testing.ts`).
 *
 * @example
 * ```ts
 * import { dbTest } from "../db/testing.ts";
 * dbTest("x", async (db) => {
 *   const { deps, fixture } = await oauthFixture(db);
 *   try {
 *     console.log(deps.appUrl.href);
 *   } finally {
 *     await fixture.close();
 *   }
 * });
 * ```
 */
export async function oauthFixture(
  db: Db,
): Promise<{ deps: OAuthAccountDeps; fixture: AccountFixture }> {
  const fixture = await accountFixture(db);
  return {
    deps: { ...fixture.deps, mailer: mailDeps(db).mailer },
    fixture,
  };
}

const TABLES = {
  sqlite:
    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
  postgres:
    "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name",
};

/**
 * Every row of every table, as sorted JSON lines per table: equal
 * snapshots mean nothing was written in between.
 *
 * @example
 * ```ts
 * import type { Db } from "../db/db.ts";
 * declare const db: Db;
 * const before = await everyRow(db);
 * // … an action that must write nothing …
 * console.log(JSON.stringify(await everyRow(db)) === JSON.stringify(before));
 * ```
 */
export async function everyRow(
  db: Queryable,
): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  const tables = await db.all<{ name: string }>(TABLES[db.engine]);
  for (const { name } of tables) {
    const rows = await db.all(`SELECT * FROM "${name}"`);
    out[name] = rows.map((r) =>
      JSON.stringify(
        r,
        (_k, v) =>
          v instanceof Uint8Array
            ? Array.from(v)
            : typeof v === "bigint"
            ? String(v)
            : v,
      )
    ).sort();
  }
  return out;
}

/**
 * `db`, except that the first `times` reads matching `pattern` (in
 * transactions too) find nothing: "this username is free", "no account
 * has this address", as a check made just before a concurrent sign-up
 * took it would have said.
 *
 * @example
 * ```ts
 * import type { Db } from "../db/db.ts";
 * declare const db: Db;
 * const liar = lyingOnce(db, /WHERE email = \?/);
 * ```
 */
export function lyingOnce(db: Db, pattern: RegExp, times = 1): Db & {
  lies(): number;
} {
  let left = times;
  const wrap = (q: Queryable): Queryable => ({
    engine: q.engine,
    all: (sql, p) => q.all(sql, p),
    values: (sql, p) => q.values(sql, p),
    run: (sql, p) => q.run(sql, p),
    exec: (sql) => q.exec(sql),
    get<R extends Row = Row>(sql: string, p?: readonly SqlValue[]) {
      if (left > 0 && pattern.test(sql)) {
        left--;
        return Promise.resolve(undefined);
      }
      return q.get<R>(sql, p);
    },
    transaction: (fn) => q.transaction((tx) => fn(wrap(tx))),
  });
  return Object.assign(Object.create(db), wrap(db), {
    lies: () => times - left,
  });
}
