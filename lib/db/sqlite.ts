/**
 * The SQLite engine of the storage port (`db.ts`): one `node:sqlite`
 * connection per process, with the pragmas the rest of the app relies on,
 * a statement cache and transactions that nest.
 *
 * `node:sqlite` is synchronous, so each statement runs at once inside its
 * promise. The one connection is shared by every request, so while a
 * transaction is open (and awaiting between its statements), statements
 * from outside it wait in a queue instead of landing inside it; the
 * transactions themselves run one at a time, which is what SQLite's single
 * writer does anyway. Keep statements short: the event loop waits for them.
 *
 * @module
 */
import { DatabaseSync, type StatementSync } from "node:sqlite";
import {
  DatabaseUnavailableError,
  type Db,
  ForeignKeyViolationError,
  type Queryable,
  type Row,
  type RunResult,
  type SqlValue,
  UniqueViolationError,
} from "./db.ts";

/** The SQLite engine's database: the port, plus the raw handle for SQLite-only work (pragmas, backups). */
export interface SqliteDb extends Db {
  readonly engine: "sqlite";
  /** The underlying `node:sqlite` handle. Only for what the port does not cover. */
  readonly raw: DatabaseSync;
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
 * const db = openSqlite("data/islet.db");
 * const row = await db.get("SELECT count(*) AS n FROM users");
 * await db.close();
 * ```
 */
export function openSqlite(path: string): SqliteDb {
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
  return wrap(raw, path);
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

type Params = readonly SqlValue[];

function wrap(raw: DatabaseSync, path: string): SqliteDb {
  const statements = new Map<string, StatementSync>();
  const arrayStatements = new Map<string, StatementSync>();
  /** Resolves when the open transaction ends; null when none is open. */
  let busy: Promise<void> | null = null;

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

  // The statements themselves, run at once; `translate` gives every error
  // the port's meaning.
  const direct = {
    all<R extends Row>(sql: string, params: Params = []): R[] {
      return prepare(sql).all(...bind(params)) as R[];
    },
    get<R extends Row>(sql: string, params: Params = []): R | undefined {
      return prepare(sql).get(...bind(params)) as R | undefined;
    },
    values(sql: string, params: Params = []): unknown[][] {
      return prepareArrays(sql).all(...bind(params)) as unknown as unknown[][];
    },
    run(sql: string, params: Params = []): RunResult {
      return { changes: Number(prepare(sql).run(...bind(params)).changes) };
    },
  };

  /** Runs `op` once no transaction is open (statements outside any transaction). */
  async function outside<T>(op: () => T): Promise<T> {
    while (busy !== null) await busy;
    return attempt(op);
  }

  /** A handle whose statements run inside the open transaction at `depth`. */
  function inside(depth: number): Queryable {
    return {
      engine: "sqlite",
      all: (sql, params) =>
        Promise.resolve().then(() => attempt(() => direct.all(sql, params))),
      get: (sql, params) =>
        Promise.resolve().then(() => attempt(() => direct.get(sql, params))),
      values: (sql, params) =>
        Promise.resolve().then(() => attempt(() => direct.values(sql, params))),
      run: (sql, params) =>
        Promise.resolve().then(() => attempt(() => direct.run(sql, params))),
      exec: (sql) => Promise.resolve().then(() => attempt(() => raw.exec(sql))),
      transaction: (fn) => savepoint(depth + 1, fn),
    };
  }

  async function savepoint<T>(
    depth: number,
    fn: (tx: Queryable) => Promise<T>,
  ): Promise<T> {
    // Names are per depth, so they stay unique along the nesting chain.
    const name = `sp_${depth}`;
    raw.exec(`SAVEPOINT ${name}`);
    try {
      const result = await fn(inside(depth));
      raw.exec(`RELEASE ${name}`);
      return result;
    } catch (error) {
      raw.exec(`ROLLBACK TO ${name}`);
      raw.exec(`RELEASE ${name}`);
      throw error;
    }
  }

  async function transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    while (busy !== null) await busy;
    let end!: () => void;
    busy = new Promise((resolve) => (end = resolve));
    try {
      // IMMEDIATE takes the write lock up front: a deferred transaction
      // that reads then writes can fail with SQLITE_BUSY without waiting.
      attempt(() => raw.exec("BEGIN IMMEDIATE"));
      let result: T;
      try {
        result = await fn(inside(0));
      } catch (error) {
        if (raw.isTransaction) raw.exec("ROLLBACK");
        throw error;
      }
      try {
        attempt(() => raw.exec("COMMIT"));
      } catch (error) {
        // A failed COMMIT (deferred constraint, disk full) leaves the
        // transaction open; close it so the connection stays usable.
        if (raw.isTransaction) raw.exec("ROLLBACK");
        throw error;
      }
      return result;
    } finally {
      busy = null;
      end();
    }
  }

  return {
    engine: "sqlite",
    raw,
    location: path,
    all: (sql, params) => outside(() => direct.all(sql, params)),
    get: (sql, params) => outside(() => direct.get(sql, params)),
    values: (sql, params) => outside(() => direct.values(sql, params)),
    run: (sql, params) => outside(() => direct.run(sql, params)),
    transaction,
    exec: (sql) => outside(() => raw.exec(sql)),
    ping: () => outside(() => void raw.prepare("SELECT 1").get()),
    close() {
      statements.clear();
      arrayStatements.clear();
      raw.close();
      return Promise.resolve();
    },
  };
}

/** `node:sqlite` binds booleans as nothing it knows: they are stored as 0/1. */
function bind(
  params: Params,
): (string | number | bigint | null | Uint8Array)[] {
  return params.map((value) =>
    typeof value === "boolean" ? (value ? 1 : 0) : value
  );
}

/** Runs `op`, turning SQLite's errors into the port's. */
function attempt<T>(op: () => T): T {
  try {
    return op();
  } catch (error) {
    throw translate(error);
  }
}

const UNIQUE = /^UNIQUE constraint failed: (\w+\.\w+)/;

function translate(error: unknown): unknown {
  if (!(error instanceof Error)) return error;
  const unique = UNIQUE.exec(error.message);
  if (unique !== null) {
    return new UniqueViolationError(unique[1], { cause: error });
  }
  if (/^FOREIGN KEY constraint failed/.test(error.message)) {
    return new ForeignKeyViolationError({ cause: error });
  }
  // SQLITE_BUSY past busy_timeout: another process holds the write lock.
  if (/database is locked|SQLITE_BUSY/.test(error.message)) {
    return new DatabaseUnavailableError(
      "The database is busy (locked by another writer)",
      { cause: error },
    );
  }
  return error;
}
