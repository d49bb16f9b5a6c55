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
 * database (tests). The file, its `-wal` and `-shm` are readable by their
 * owner only (0600), and folders it creates for them 0700, whatever the
 * umask: they hold password hashes and session data.
 *
 * @example
 * ```ts
 * const db = openDatabase("data/islet.db");
 * const row = db.prepare("SELECT count(*) AS n FROM users").get();
 * db.close();
 * ```
 */
export function openDatabase(path: string): Db {
  const onDisk = path !== ":memory:" && !path.startsWith("file:");
  if (onDisk) createPrivately(path);
  const raw = new DatabaseSync(path);
  try {
    // busy_timeout first: switching to WAL itself needs a lock.
    raw.exec("PRAGMA busy_timeout = 5000");
    raw.exec("PRAGMA journal_mode = WAL");
    raw.exec("PRAGMA foreign_keys = ON");
    raw.exec("PRAGMA synchronous = NORMAL");
    // SQLite gives -wal and -shm the main file's mode; files made by an
    // older version, or before the file existed, are tightened here.
    if (onDisk) {
      for (const file of [path, `${path}-wal`, `${path}-shm`]) tighten(file);
    }
  } catch (error) {
    raw.close();
    throw error;
  }
  return wrap(raw);
}

/** Owner-only modes: the database holds password hashes and sessions. */
const FILE_MODE = 0o600;
const DIR_MODE = 0o700;

/**
 * Creates the database's missing folders (0700) and the file itself (0600)
 * before SQLite opens it, whatever the umask: `mode` on create is masked
 * by the umask, so each is chmod-ed after. Folders that already exist are
 * left alone (the database may live in a shared one such as /tmp).
 */
function createPrivately(path: string): void {
  const missing: string[] = [];
  for (let dir = parentOf(path); dir !== null; dir = parentOf(dir)) {
    if (exists(dir)) break;
    missing.unshift(dir);
  }
  for (const dir of missing) {
    try {
      Deno.mkdirSync(dir, { mode: DIR_MODE });
    } catch (error) {
      // Another process made it meanwhile: fine, it is checked below.
      if (!(error instanceof Deno.errors.AlreadyExists)) throw error;
    }
    chmod(dir, DIR_MODE);
  }
  try {
    Deno.openSync(path, { createNew: true, write: true, mode: FILE_MODE })
      .close();
    chmod(path, FILE_MODE);
  } catch (error) {
    if (!(error instanceof Deno.errors.AlreadyExists)) throw error;
  }
}

/** Removes group and other permissions from an existing file. */
function tighten(file: string): void {
  let mode: number | null;
  try {
    mode = Deno.statSync(file).mode;
  } catch {
    return; // not created yet
  }
  if (mode === null || (mode & 0o077) === 0) return;
  try {
    chmod(file, mode & 0o700);
  } catch (error) {
    // Someone else's file (a shared mount): serve, but say so.
    console.warn(
      `${file} is readable by others and cannot be changed: ${
        error instanceof Error ? error.message : error
      }`,
    );
  }
}

function chmod(path: string, mode: number): void {
  // Not supported on Windows, which has no such modes.
  if (Deno.build.os !== "windows") Deno.chmodSync(path, mode);
}

function parentOf(path: string): string | null {
  const slash = Math.max(path.lastIndexOf("/"), path.lastIndexOf("\\"));
  return slash > 0 ? path.slice(0, slash) : null;
}

function exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
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
