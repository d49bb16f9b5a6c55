/**
 * The SQLite connection: one `node:sqlite` database per process, with the
 * pragmas the rest of the app relies on, a statement cache and
 * transactions that nest. Everything is synchronous because `node:sqlite`
 * is; keep statements short so the event loop is never held for long.
 *
 * @module
 */
import { DatabaseSync, type StatementSync } from "node:sqlite";

/** An open database. */
export interface Db {
  /** The underlying `node:sqlite` handle, for what this wrapper does not cover. */
  readonly raw: DatabaseSync;
  /** A prepared statement, compiled once per SQL text and reused. */
  prepare(sql: string): StatementSync;
  /**
   * Like {@linkcode Db.prepare}, but the statement returns each row as an
   * array of column values in SELECT order (`setReturnArrays`). Building an
   * array costs about half of building a keyed object in `node:sqlite`, so
   * hot read paths (session validation, the session list) use this.
   * Cached separately: a statement from `prepare` never changes shape.
   */
  prepareArrays(sql: string): StatementSync;
  /**
   * Runs `fn` in a transaction and returns its result. An exception rolls
   * everything `fn` wrote back and is rethrown. Nested calls become
   * savepoints, so an inner failure that the outer `fn` catches undoes only
   * the inner part. `fn` must be synchronous.
   */
  transaction<T>(fn: () => T): T;
  /** Closes the database; further use throws. */
  close(): void;
}

/**
 * Opens (creating if needed) the database at `path` and sets its pragmas:
 * WAL so readers never wait for the writer, a 5 s busy timeout so a
 * concurrent writer (the migrate task, a second process) is waited for
 * instead of failing, foreign keys on (SQLite's default is off), and
 * `synchronous=NORMAL`, which is durable across application crashes in WAL
 * mode and much faster than FULL. `":memory:"` opens a private in-memory
 * database (tests).
 *
 * @example
 * ```ts
 * const db = openDatabase("data/islet.db");
 * const row = db.prepare("SELECT count(*) AS n FROM users").get();
 * db.close();
 * ```
 */
export function openDatabase(path: string): Db {
  if (path !== ":memory:" && !path.startsWith("file:")) {
    const slash = Math.max(path.lastIndexOf("/"), path.lastIndexOf("\\"));
    if (slash > 0) Deno.mkdirSync(path.slice(0, slash), { recursive: true });
  }
  const raw = new DatabaseSync(path);
  try {
    // busy_timeout first: switching to WAL itself needs a lock.
    raw.exec("PRAGMA busy_timeout = 5000");
    raw.exec("PRAGMA journal_mode = WAL");
    raw.exec("PRAGMA foreign_keys = ON");
    raw.exec("PRAGMA synchronous = NORMAL");
  } catch (error) {
    raw.close();
    throw error;
  }
  return wrap(raw);
}

type ArrayStatement = StatementSync & {
  setReturnArrays(enabled: boolean): void;
};

function wrap(raw: DatabaseSync): Db {
  const statements = new Map<string, StatementSync>();
  const arrayStatements = new Map<string, StatementSync>();
  let depth = 0;

  function prepare(sql: string): StatementSync {
    let statement = statements.get(sql);
    if (statement === undefined) {
      statement = raw.prepare(sql);
      statements.set(sql, statement);
    }
    return statement;
  }

  function prepareArrays(sql: string): StatementSync {
    let statement = arrayStatements.get(sql);
    if (statement === undefined) {
      statement = raw.prepare(sql);
      // In Deno's node:sqlite at runtime, missing from its type declarations.
      (statement as ArrayStatement).setReturnArrays(true);
      arrayStatements.set(sql, statement);
    }
    return statement;
  }

  function transaction<T>(fn: () => T): T {
    // Savepoint names are per depth, so they stay unique along the nesting chain.
    const savepoint = `sp_${depth}`;
    // IMMEDIATE takes the write lock up front: a deferred transaction that
    // reads then writes can fail with SQLITE_BUSY without waiting.
    raw.exec(depth === 0 ? "BEGIN IMMEDIATE" : `SAVEPOINT ${savepoint}`);
    depth++;
    let result: T;
    try {
      result = fn();
      if (result instanceof Promise) {
        // The transaction would commit before the promise's work happens.
        result.catch(() => {});
        throw new TypeError("db.transaction() callback must be synchronous");
      }
    } catch (error) {
      depth--;
      if (depth === 0) {
        if (raw.isTransaction) raw.exec("ROLLBACK");
      } else {
        raw.exec(`ROLLBACK TO ${savepoint}`);
        raw.exec(`RELEASE ${savepoint}`);
      }
      throw error;
    }
    depth--;
    if (depth > 0) {
      raw.exec(`RELEASE ${savepoint}`);
      return result;
    }
    try {
      raw.exec("COMMIT");
    } catch (error) {
      // A failed COMMIT (deferred constraint, disk full) leaves the
      // transaction open; close it so the connection stays usable.
      if (raw.isTransaction) raw.exec("ROLLBACK");
      throw error;
    }
    return result;
  }

  function close(): void {
    statements.clear();
    arrayStatements.clear();
    raw.close();
  }

  return { raw, prepare, prepareArrays, transaction, close };
}
