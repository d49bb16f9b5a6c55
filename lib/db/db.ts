/**
 * The storage port: the small async interface every query module is
 * written against, implemented by two engines, `sqlite.ts` (`node:sqlite`,
 * the embedded default) and `postgres.ts` (npm `postgres`, chosen by
 * `DATABASE_URL`).
 *
 * SQL is hand-written and uses `?` placeholders (`?1`, `?2` for a value used
 * twice); the PostgreSQL engine rewrites them to `$n`. Where the dialects
 * differ, the query module picks its text with {@linkcode dialect}, so the
 * difference sits beside the query and nowhere else.
 *
 * Decisions, and the options rejected:
 * - Async throughout, because PostgreSQL is a network round trip; SQLite
 *   answers synchronously inside the promise, so it pays one microtask.
 * - A transaction gets its own handle (`tx`), as postgres.js's `sql.begin`
 *   does. With one SQLite connection, a statement outside the transaction
 *   must not run inside it while the transaction awaits, so the SQLite
 *   engine queues it until the transaction ends; the handle is what tells
 *   the two apart. Rejected: an implicit "current transaction" found
 *   through AsyncLocalStorage (invisible at the call site, and easy to
 *   escape with a stray `db`).
 * - No ORM or query builder: two dialects of a few dozen statements are
 *   easier to read as SQL than as builder calls.
 *
 * @module
 */
import type { ChangeFeed } from "./changes.ts";

/** The engines Islet runs on. */
export type Engine = "sqlite" | "postgres";

/** A value bound to a `?` placeholder. */
export type SqlValue = string | number | bigint | boolean | null | Uint8Array;

/** A row as column name → value. Integers arrive as numbers on both engines. */
export type Row = Record<string, unknown>;

/** What a statement that writes reports. */
export interface RunResult {
  /** Rows inserted, updated or deleted. */
  changes: number;
}

/** Statements, on the database or inside a transaction. */
export interface Queryable {
  /** Which engine runs the statements: for the few dialect differences. */
  readonly engine: Engine;
  /**
   * Every row, as objects.
   *
   * @example
   * ```ts
   * declare const db: Queryable;
   * const rows = await db.all("SELECT id FROM users WHERE created_at > ?", [0]);
   * ```
   */
  all<R extends Row = Row>(
    sql: string,
    params?: readonly SqlValue[],
  ): Promise<R[]>;
  /**
   * The first row, or undefined.
   *
   * @example
   * ```ts
   * declare const db: Queryable;
   * const row = await db.get<{ n: number }>("SELECT count(*) AS n FROM users");
   * ```
   */
  get<R extends Row = Row>(
    sql: string,
    params?: readonly SqlValue[],
  ): Promise<R | undefined>;
  /**
   * Every row as an array of column values in SELECT order: cheaper than
   * objects on both engines, for hot read paths (session validation).
   *
   * @example
   * ```ts
   * declare const db: Queryable;
   * const [first] = await db.values("SELECT id, email FROM users LIMIT 1");
   * ```
   */
  values(sql: string, params?: readonly SqlValue[]): Promise<unknown[][]>;
  /**
   * Runs a statement that writes and says how many rows it changed.
   *
   * @example
   * ```ts
   * declare const db: Queryable;
   * const { changes } = await db.run("DELETE FROM sessions WHERE id = ?", ["x"]);
   * ```
   */
  run(sql: string, params?: readonly SqlValue[]): Promise<RunResult>;
  /**
   * Runs a script of several statements with no parameters (migrations).
   *
   * @example
   * ```ts
   * declare const db: Queryable;
   * await db.exec("CREATE TABLE t (x INTEGER); CREATE INDEX t_x ON t (x);");
   * ```
   */
  exec(sql: string): Promise<void>;
  /**
   * Runs `fn` in a transaction and returns its result: everything `fn`
   * wrote through `tx` commits together, or an exception rolls it all back
   * and is rethrown. Called on a `tx`, it nests as a savepoint, so an inner
   * failure that the outer `fn` catches undoes only the inner part. Use
   * `tx`, never the outer handle, inside `fn`, and await each statement
   * before the next (a transaction is one connection).
   *
   * @example
   * ```ts
   * declare const db: Queryable;
   * await db.transaction(async (tx) => {
   *   await tx.run("UPDATE users SET updated_at = ? WHERE id = ?", [Date.now(), "u1"]);
   *   await tx.run("DELETE FROM sessions WHERE user_id = ?", ["u1"]);
   * });
   * ```
   */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
}

/** An open database. */
export interface Db extends Queryable {
  /**
   * The changes other connections commit, announced to this worker, where
   * the engine can and was asked to (PostgreSQL opened with
   * `changes: true`); undefined otherwise. See `changes.ts`.
   */
  readonly changes?: ChangeFeed;
  /**
   * Resolves when the database answers a trivial query, within the
   * statement timeout; rejects with {@linkcode DatabaseUnavailableError}
   * otherwise (the health check).
   *
   * @example
   * ```ts
   * declare const db: Db;
   * await db.ping();
   * ```
   */
  ping(): Promise<void>;
  /** Where the data lives, safe to print: a file path, or the URL without its password. */
  readonly location: string;
  /** Closes the database; further use rejects. */
  close(): Promise<void>;
}

/**
 * The database cannot answer now (unreachable, restarting, locked past the
 * wait, or past the statement timeout). Not the caller's fault and usually
 * brief: the app answers 503 and recovers by itself when it is back.
 */
export class DatabaseUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "DatabaseUnavailableError";
  }
}

/**
 * A UNIQUE constraint refused a write. `target` names it as
 * `table.column` on both engines (PostgreSQL constraints are named
 * `<table>_<column>_key`, as PostgreSQL names them by default).
 */
export class UniqueViolationError extends Error {
  constructor(readonly target: string, options?: { cause?: unknown }) {
    super(`UNIQUE constraint failed: ${target}`, options);
    this.name = "UniqueViolationError";
  }
}

/**
 * A FOREIGN KEY constraint refused a write: the row it points to is gone.
 * In this app that means the account a request acts for was deleted while
 * the request ran (a deletion on another tab, device or instance); the app
 * answers 409, never 500 (`lib/web/error_answers.tsx`).
 */
export class ForeignKeyViolationError extends Error {
  constructor(options?: { cause?: unknown }) {
    super("FOREIGN KEY constraint failed", options);
    this.name = "ForeignKeyViolationError";
  }
}

/**
 * Picks the SQL text for the engine: for the few statements the dialects
 * write differently. Keep both texts side by side at the query.
 *
 * @example
 * ```ts
 * declare const db: Queryable;
 * const sql = dialect(db, {
 *   sqlite: "UPDATE sessions SET last_verified_at = max(last_verified_at, ?) WHERE id = ?",
 *   postgres: "UPDATE sessions SET last_verified_at = greatest(last_verified_at, ?) WHERE id = ?",
 * });
 * ```
 */
export function dialect(
  db: Queryable,
  texts: Record<Engine, string>,
): string {
  return texts[db.engine];
}

/**
 * A boolean read back from either engine: SQLite gives 0/1, PostgreSQL a
 * boolean for expressions such as `x IS NOT NULL`.
 *
 * @example
 * ```ts
 * bool(1); // true
 * bool(true); // true
 * bool(0); // false
 * ```
 */
export function bool(value: unknown): boolean {
  return value === 1 || value === true || value === 1n;
}
