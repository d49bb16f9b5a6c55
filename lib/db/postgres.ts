/**
 * The PostgreSQL engine of the storage port (`db.ts`), over the npm
 * `postgres` driver (postgres.js): a pool of connections, statements
 * prepared once per connection, transactions on a reserved connection with
 * savepoints for nesting.
 *
 * Rows look the same as the SQLite engine's: `int8` (BIGINT, `count(*)`)
 * and `numeric` come back as numbers (times are Unix milliseconds, ids are
 * small: both far below 2^53), `bytea` as a Uint8Array. A JS boolean binds
 * as 1/0 with its type left to the server, so it lands as 1/0 in the
 * schema's INTEGER flag columns (as on SQLite) and as true/false where the
 * statement wants a boolean; a `bytea` parameter is a Uint8Array.
 *
 * Errors get the port's meaning: a unique violation is a
 * {@linkcode UniqueViolationError} named `<table>.<column>` after its
 * constraint, which must therefore be named `<table>_<column>_key`
 * (PostgreSQL's default for a UNIQUE column constraint; a unique index the
 * schema names itself must follow the same form, as `users_username_key`
 * does). A database that cannot be reached, is restarting, has no free
 * connection or ran past the statement timeout is a
 * {@linkcode DatabaseUnavailableError}, whose message names the URL
 * without its password.
 *
 * Recovery is postgres.js's: a connection that fails is closed and
 * reopened by the next statement that needs it, after a short back-off
 * (capped at one second here, so a statement never queues long behind a
 * database that is down, and the first after its return succeeds).
 *
 * @module
 */
import { Buffer } from "node:buffer";
import postgres from "postgres";
import {
  DatabaseUnavailableError,
  type Db,
  type Queryable,
  type Row,
  type RunResult,
  type SqlValue,
  UniqueViolationError,
} from "./db.ts";
import { toPostgresPlaceholders } from "./placeholders.ts";

/**
 * Tuning for {@linkcode openPostgres}.
 *
 * @example
 * ```ts
 * const options: PostgresOptions = { poolSize: 20, statementTimeoutMs: 2_000 };
 * ```
 */
export interface PostgresOptions {
  /** Connections in the pool (postgres.js `max`). Default 10. */
  poolSize?: number;
  /** Longest a statement may run, enforced by the server. Default 5000 ms. */
  statementTimeoutMs?: number;
  /** Longest a new connection may take to open. Default 5000 ms. */
  connectTimeoutMs?: number;
}

/** The PostgreSQL engine's database: the port, plus the raw postgres.js handle. */
export interface PostgresDb extends Db {
  readonly engine: "postgres";
  /** The postgres.js pool. Only for what the port does not cover. */
  readonly raw: postgres.Sql;
}

/** Idle connections are closed after this long (seconds). */
const IDLE_TIMEOUT_S = 60;

/**
 * Connects to the database at `url` and checks it answers, so that a wrong
 * URL or a database that is down fails at start-up, with a message that
 * names the URL (password replaced by `***`) and the reason.
 *
 * @example
 * ```ts
 * const db = await openPostgres("postgres://islet:secret@db:5432/islet", {
 *   poolSize: 10,
 *   statementTimeoutMs: 5_000,
 * });
 * const row = await db.get("SELECT count(*) AS n FROM users");
 * await db.close();
 * ```
 */
export async function openPostgres(
  url: string,
  options: PostgresOptions = {},
): Promise<PostgresDb> {
  const location = redactUrl(url);
  const statementTimeoutMs = options.statementTimeoutMs ?? 5_000;
  let sql: postgres.Sql;
  try {
    sql = postgres(url, {
      max: options.poolSize ?? 10,
      connect_timeout: (options.connectTimeoutMs ?? 5_000) / 1_000,
      idle_timeout: IDLE_TIMEOUT_S,
      // Capped back-off between attempts to reconnect (seconds): postgres.js's
      // own grows to 20 s, and statements wait it out in the queue.
      backoff: (retries: number) =>
        Math.min(0.05 * 2 ** retries, 1) * (0.5 + Math.random() / 2),
      // No array types are bound, so skip the type query on every connect.
      fetch_types: false,
      onnotice: () => {},
      connection: {
        application_name: "islet",
        statement_timeout: statementTimeoutMs,
      },
      types: TYPES,
    });
  } catch (error) {
    // The driver's URL parse errors can quote the URL, password and all.
    throw new Error(`Invalid PostgreSQL URL ${location}`, {
      cause: error instanceof TypeError ? undefined : error,
    });
  }
  try {
    await sql.unsafe("SELECT 1");
  } catch (error) {
    await sql.end({ timeout: 0 });
    const translated = translate(error, location);
    if (translated instanceof DatabaseUnavailableError) throw translated;
    // Wrong password, missing database, ...: the server's message says
    // which and never contains the password.
    const reason = error instanceof postgres.PostgresError
      ? error.message
      : "unexpected error";
    throw new Error(`Cannot connect to PostgreSQL at ${location}: ${reason}`, {
      cause: error,
    });
  }
  return wrap(sql, location, statementTimeoutMs);
}

type Params = readonly SqlValue[];
/** postgres.js's handle: the pool, or one transaction's connection. */
type Handle = postgres.Sql | postgres.TransactionSql;

// `simple: false` keeps even statements without parameters prepared;
// postgres.js sends those through the simple protocol otherwise (and
// leaves it out of its type declarations).
const PREPARED = {
  prepare: true,
  simple: false,
} as postgres.UnsafeQueryOptions;

function wrap(
  sql: postgres.Sql,
  location: string,
  statementTimeoutMs: number,
): PostgresDb {
  async function attempt<T>(op: () => Promise<T>): Promise<T> {
    try {
      return await op();
    } catch (error) {
      throw translate(error, location);
    }
  }

  function query(handle: Handle, text: string, params: Params = []) {
    return handle.unsafe(
      toPostgresPlaceholders(text),
      bind(params) as postgres.ParameterOrJSON<never>[],
      PREPARED,
    );
  }

  function queryable(
    handle: Handle,
    nest: Queryable["transaction"],
  ): Queryable {
    return {
      engine: "postgres",
      all: <R extends Row>(text: string, params?: Params) =>
        attempt(async () =>
          Array.from(await query(handle, text, params)) as unknown as R[]
        ),
      get: <R extends Row>(text: string, params?: Params) =>
        attempt(async () =>
          (await query(handle, text, params))[0] as unknown as R | undefined
        ),
      values: (text, params) =>
        attempt(async () =>
          Array.from(await query(handle, text, params).values())
        ),
      run: (text, params) =>
        attempt(async (): Promise<RunResult> => ({
          changes: (await query(handle, text, params)).count,
        })),
      // Stopgap on branch inproc until pg-engine has the port's tx.exec.
      exec: (script) => attempt(async () => void await handle.unsafe(script)),
      transaction: nest,
    };
  }

  /** A transaction's handle; its `transaction` is a savepoint on `tx`. */
  function inside(tx: postgres.TransactionSql): Queryable {
    return queryable(tx, (fn) =>
      attempt(async () => {
        // Boxed: postgres.js awaits an array result as if it were queries.
        const box = await tx.savepoint(async (sp) => ({
          value: await fn(inside(sp)),
        }));
        return box.value;
      }));
  }

  const top = queryable(sql, (fn) =>
    attempt(async () => {
      const box = await sql.begin(async (tx) => ({
        value: await fn(inside(tx)),
      }));
      return box.value;
    }));

  return {
    ...top,
    engine: "postgres",
    raw: sql,
    location,
    exec: (script) =>
      // No parameters: the simple protocol, which runs several statements.
      attempt(async () => void await sql.unsafe(script)),
    ping: () =>
      attempt(async () => {
        // The server's statement timeout cannot fire if the server never
        // sees the query (a network that drops packets): time it here too.
        const pending = sql.unsafe("SELECT 1").execute();
        pending.catch(() => {}); // when the deadline wins, nobody awaits it
        let timer: ReturnType<typeof setTimeout> | undefined;
        const deadline = new Promise<never>((_, reject) => {
          timer = setTimeout(
            () =>
              reject(
                new DatabaseUnavailableError(
                  `PostgreSQL at ${location} did not answer within ${statementTimeoutMs} ms`,
                ),
              ),
            statementTimeoutMs,
          );
        });
        try {
          await Promise.race([pending, deadline]);
        } finally {
          clearTimeout(timer);
        }
      }),
    close: () => sql.end({ timeout: 5 }),
  };
}

/**
 * The types whose default parsing differs from the SQLite engine's rows.
 * postgres.js serialises a parameter with the serialiser of the type the
 * server inferred for it, so these also decide how values are sent.
 */
const TYPES = {
  int8: {
    to: 20,
    from: [20],
    serialize: (x: unknown) => String(x),
    parse: (x: string) => Number(x),
  },
  numeric: {
    to: 1700,
    from: [1700],
    serialize: (x: unknown) => String(x),
    parse: (x: string) => Number(x),
  },
  // A JS boolean is sent as 1/0 (see bind); where the server wants a
  // boolean, 1/0 must become t/f (the default serialiser turns anything
  // but `true` into false).
  bool: {
    to: 16,
    from: [16],
    serialize: (x: unknown) => typeof x === "string" ? x : x ? "t" : "f",
    parse: (x: string) => x === "t",
  },
  // A plain Uint8Array, as node:sqlite gives, rather than a Buffer.
  bytea: {
    to: 17,
    from: [17],
    serialize: (x: Uint8Array) => "\\x" + Buffer.from(x).toString("hex"),
    parse: (x: string) => new Uint8Array(Buffer.from(x.slice(2), "hex")),
  },
};

/** Booleans as 1/0 with no declared type: see {@linkcode TYPES}. */
function bind(params: Params): unknown[] {
  return params.map((value) =>
    typeof value === "boolean" ? (value ? 1 : 0) : value
  );
}

/**
 * `url` with its password (and any `password=` parameter) replaced by
 * `***`: safe to log and show.
 *
 * @example
 * ```ts
 * redactUrl("postgres://islet:s3cret@db:5432/islet");
 * // "postgres://islet:***@db:5432/islet"
 * ```
 */
export function redactUrl(url: string): string {
  const scheme = url.indexOf("://");
  let out = url;
  if (scheme !== -1) {
    const start = scheme + 3;
    // The authority ends at the first / or ? (postgres.js reads it so);
    // the user information is what precedes its last @.
    const rest = url.slice(start);
    const authorityEnd = rest.search(/[/?]/);
    const authority = authorityEnd === -1 ? rest : rest.slice(0, authorityEnd);
    const at = authority.lastIndexOf("@");
    const colon = authority.indexOf(":");
    if (at !== -1 && colon !== -1 && colon < at) {
      out = url.slice(0, start + colon + 1) + "***" + url.slice(start + at);
    }
  }
  return out.replace(/([?&]password=)[^&#]*/gi, "$1***");
}

/** SQLSTATEs that mean "not now" rather than "wrong". */
const UNAVAILABLE_STATES: Record<string, string> = {
  "57014": "statement timeout",
  "57P01": "server shutting down",
  "57P02": "server crashed",
  "57P03": "server not accepting connections yet",
  "53300": "too many connections",
};

/** Driver and socket error codes of a connection that failed or was lost. */
const CONNECTION_CODES: Record<string, string> = {
  ECONNREFUSED: "connection refused",
  ECONNRESET: "connection reset",
  EPIPE: "connection broken",
  ETIMEDOUT: "connection timed out",
  EHOSTUNREACH: "host unreachable",
  ENETUNREACH: "network unreachable",
  ENOTFOUND: "host not found",
  EAI_AGAIN: "host name lookup failed",
  CONNECT_TIMEOUT: "connect timeout",
  CONNECTION_CLOSED: "connection closed",
  CONNECTION_ENDED: "connection ended",
  CONNECTION_DESTROYED: "connection destroyed",
};

function codeOf(error: unknown): string | undefined {
  if (error === null || typeof error !== "object") return undefined;
  const code = (error as { code?: unknown }).code;
  if (typeof code === "string") return code;
  // Several addresses tried (IPv6 and IPv4 for localhost): the first says why.
  if (error instanceof AggregateError) return codeOf(error.errors[0]);
  return undefined;
}

/** Gives the driver's errors the port's meaning; others pass through. */
function translate(error: unknown, location: string): unknown {
  if (
    error instanceof UniqueViolationError ||
    error instanceof DatabaseUnavailableError
  ) {
    return error; // already translated (a statement inside a transaction)
  }
  const code = codeOf(error);
  if (code === undefined) return error;
  if (code === "23505" && error instanceof postgres.PostgresError) {
    return new UniqueViolationError(uniqueTarget(error), { cause: error });
  }
  const reason = CONNECTION_CODES[code] ?? UNAVAILABLE_STATES[code] ??
    (code.startsWith("08") ? `connection failure (SQLSTATE ${code})` : null);
  if (reason === null) return error;
  return new DatabaseUnavailableError(
    `PostgreSQL at ${location} is unavailable: ${reason}`,
    { cause: error },
  );
}

/** `users_email_key` on table `users` → `users.email`. */
function uniqueTarget(error: postgres.PostgresError): string {
  const table = error.table_name ?? "";
  const name = error.constraint_name ?? "";
  const column = name.startsWith(`${table}_`) && name.endsWith("_key")
    ? name.slice(table.length + 1, -"_key".length)
    : name;
  return `${table}.${column}`;
}
