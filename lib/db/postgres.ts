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
 * database that is down, and the first after its return succeeds). One
 * hole in it is plugged here (see {@linkcode openSocket}): a connection
 * closed cleanly while it opens would otherwise retry forever, its first
 * statement never settling.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import net from "node:net";
import postgres from "postgres";
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
import { toPostgresPlaceholders } from "./placeholders.ts";
import { PgChangeFeed } from "./postgres_changes.ts";

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
  /**
   * Listen for the change notices of migration 0002 on a connection of
   * its own (`db.changes`, see `postgres_changes.ts`). Default false: only
   * a server that keeps rows in memory needs it.
   */
  changes?: boolean;
}

/** The PostgreSQL engine's database: the port, plus the raw postgres.js handle. */
export interface PostgresDb extends Db {
  readonly engine: "postgres";
  /** The postgres.js pool. Only for what the port does not cover. */
  readonly raw: postgres.Sql;
  /** Present when opened with `changes: true`. */
  readonly changes?: PgChangeFeed;
}

/**
 * How much longer than the statement timeout a statement may take to
 * answer on the client's clock (a new connection, the network) before it
 * counts as unavailable.
 */
const ANSWER_GRACE_MS = 1_000;

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
  const connectTimeoutMs = options.connectTimeoutMs ?? 5_000;
  const connect = (extra: postgres.Options<Record<string, never>>) =>
    postgres(url, {
      max: options.poolSize ?? 10,
      connect_timeout: connectTimeoutMs / 1_000,
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
      // In postgres.js, missing from its type declarations.
      ...{ socket: openSocket() } as object,
      ...extra,
    });
  const pool = () => connect({});
  let sql: postgres.Sql;
  try {
    sql = pool();
  } catch (error) {
    // The driver's URL parse errors can quote the URL, password and all.
    throw new Error(`Invalid PostgreSQL URL ${location}`, {
      cause: error instanceof TypeError ? undefined : error,
    });
  }
  try {
    await within(
      sql.unsafe("SELECT 1"),
      connectTimeoutMs + statementTimeoutMs,
      location,
    );
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
  const changes = options.changes
    ? PgChangeFeed.start({
      connect: (hooks) =>
        connect({
          max: 1,
          idle_timeout: 0, // 0: never (null in postgres.js, not in its types)
          max_lifetime: 0,
          onclose: hooks.onclose,
          // In postgres.js (what its own `listen` uses), missing from its
          // type declarations.
          ...{ onnotify: hooks.onnotify } as object,
        }),
      deadlineMs: connectTimeoutMs + statementTimeoutMs,
    })
    : undefined;
  return wrap(sql, pool, location, statementTimeoutMs, changes);
}

/** The parts of postgres.js's parsed options that {@linkcode openSocket} reads. */
interface SocketOptions {
  host: string[];
  port: number[];
  path: string | false;
}

/**
 * postgres.js's socket, opened by us so that a clean close (FIN, no error)
 * is reported as an error. postgres.js 3.4.9 handles a clean close while
 * a connection is starting by reconnecting at once, forever, with the
 * statement that asked for the connection neither run nor rejected
 * (porsager/postgres#1193, open): what a database behind a proxy or a load
 * balancer that accepts and then drops the connection (Docker's port
 * proxy while the container restarts) causes. The error makes postgres.js
 * reject that statement and close the connection normally; for a
 * connection that was already open, it only says first what postgres.js
 * says next ("connection closed"). Not covered: TLS connections
 * (`sslmode`), whose socket postgres.js replaces with its own.
 */
function openSocket(): (options: SocketOptions) => net.Socket {
  let next = 0; // several hosts: take turns, as postgres.js does
  return (options) => {
    const i = next++ % options.host.length;
    const [host, port] = [options.host[i], options.port[i]];
    const socket = options.path
      ? net.connect(options.path)
      : net.connect(port, host);
    // postgres.js reads these for its error messages and TLS server name.
    Object.assign(socket, { host, port });
    let failed = false;
    socket.prependListener("error", () => (failed = true));
    socket.prependListener("close", () => {
      if (failed) return;
      failed = true;
      const where = options.path || `${host}:${port}`;
      socket.emit(
        "error",
        Object.assign(new Error(`CONNECTION_CLOSED ${where}`), {
          code: "CONNECTION_CLOSED",
        }),
      );
    });
    return socket;
  };
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
  first: postgres.Sql,
  pool: () => postgres.Sql,
  location: string,
  statementTimeoutMs: number,
  changes?: PgChangeFeed,
): PostgresDb {
  // The server's statement timeout, plus time for the network and for a
  // new connection: past it, the statement is not coming back soon.
  const answerMs = statementTimeoutMs + ANSWER_GRACE_MS;
  const deadlines = new Deadlines();
  let sql = first;

  /**
   * Replaces the pool after a statement waited its whole deadline without
   * even reaching a connection. postgres.js then has queries waiting on
   * connections it retries without limit (see {@linkcode Deadlines}),
   * which cannot be cancelled one by one without leaving the connection
   * unusable (3.4.9); ending the old pool rejects them all, so none runs
   * after its caller was told it failed, and the new pool starts clean.
   */
  function replacePool(stuck: postgres.Sql): void {
    if (sql !== stuck) return; // replaced already
    sql = pool();
    stuck.end({ timeout: 0 }).catch(() => {});
  }

  async function attempt<T>(op: () => Promise<T>): Promise<T> {
    try {
      return await op();
    } catch (error) {
      throw translate(error, location);
    }
  }

  /**
   * Statements on `handle()` (the pool, read at each call since it may be
   * replaced, or a transaction); `stuck` is what a statement that never
   * reached a connection calls; `wrote` is told of every statement that
   * may have written (top level only: a transaction's writes count when
   * it ends).
   */
  function queryable(
    handle: () => Handle,
    nest: Queryable["transaction"],
    stuck?: (pool: Handle) => void,
    wrote?: () => void,
  ): Queryable {
    /**
     * One statement, within the deadline, its result mapped by `map` and
     * its error translated: one promise and no timer of its own (this is
     * the path of every query).
     */
    const statement = <T>(
      text: string,
      params: Params | undefined,
      arrays: boolean,
      map: (result: postgres.RowList<postgres.Row[]>) => T,
    ): Promise<T> => {
      const h = handle();
      const query = h.unsafe(
        toPostgresPlaceholders(text),
        (params === undefined ? [] : bind(params)) as postgres.ParameterOrJSON<
          never
        >[],
        PREPARED,
      );
      const pending = (arrays ? query.values() : query) as unknown as Pending<
        postgres.RowList<postgres.Row[]>
      >;
      return new Promise<T>((resolve, reject) => {
        const deadline = deadlines.add(answerMs, () => {
          // `state` is set once the query is sent on a connection.
          if ((pending as { state?: unknown }).state) cancel(pending);
          else stuck?.(h);
          if (wrote) wrote();
          reject(
            new DatabaseUnavailableError(
              `PostgreSQL at ${location} did not answer within ${answerMs} ms`,
            ),
          );
        });
        pending.then((result) => {
          deadlines.delete(deadline);
          if (wrote && result.command !== "SELECT") wrote();
          try {
            resolve(map(result));
          } catch (error) {
            reject(error);
          }
        }, (error) => {
          deadlines.delete(deadline);
          if (wrote) wrote(); // it may have written before failing
          reject(translate(error, location));
        });
        pending.execute();
      });
    };
    return {
      engine: "postgres",
      all: <R extends Row>(text: string, params?: Params) =>
        statement(text, params, false, (r) => Array.from(r) as unknown as R[]),
      get: <R extends Row>(text: string, params?: Params) =>
        statement(
          text,
          params,
          false,
          (r) => r[0] as unknown as R | undefined,
        ),
      values: (text, params) =>
        statement(
          text,
          params,
          true,
          (r) => Array.from(r) as unknown as unknown[][],
        ),
      run: (text, params) =>
        statement(
          text,
          params,
          false,
          (r): RunResult => ({ changes: r.count }),
        ),
      // No parameters: the simple protocol, which runs several statements.
      // Not bounded here: a migration script is many statements, each
      // bounded by the server's statement timeout.
      exec: (script) =>
        attempt(async () => {
          try {
            await handle().unsafe(script);
          } finally {
            wrote?.();
          }
        }),
      transaction: nest,
    };
  }

  /** A transaction's handle; its `transaction` is a savepoint on `tx`. */
  function inside(tx: postgres.TransactionSql): Queryable {
    return queryable(
      () => tx,
      (fn) => attempt(() => bounded((body) => tx.savepoint(body), fn)),
    );
  }

  const wrote = changes && (() => changes.wrote());
  const top = queryable(
    () => sql,
    (fn) =>
      attempt(async () => {
        try {
          return await bounded((body) => sql.begin(body), fn);
        } finally {
          wrote?.();
        }
      }),
    (pool) => replacePool(pool as postgres.Sql),
    wrote,
  );

  /**
   * Runs `fn` in the transaction (or savepoint) that `open` starts, with a
   * deadline on what `fn` does not control: getting a connection and
   * BEGIN (or SAVEPOINT), then COMMIT (or ROLLBACK) once `fn` is done.
   * postgres.js waits for those without limit, so a database that accepts
   * connections and drops them, or a network that stops forwarding,
   * would hold the request forever.
   */
  async function bounded<T>(
    open: (body: (tx: postgres.TransactionSql) => Promise<Box<T>>) => Promise<
      Box<T>
    >,
    fn: (tx: Queryable) => Promise<T>,
  ): Promise<T> {
    const late = new DatabaseUnavailableError(
      `PostgreSQL at ${location} did not answer within ${answerMs} ms`,
    );
    let expired = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let fire!: (error: Error) => void;
    const fired = new Promise<never>((_, reject) => (fire = reject));
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        expired = true;
        fire(late);
      }, answerMs);
    };
    arm();
    // Boxed: postgres.js awaits an array result as if it were queries.
    const run = open(async (tx) => {
      // The connection came after the caller was told: roll back at once.
      if (expired) throw late;
      clearTimeout(timer);
      try {
        return { value: await fn(inside(tx)) };
      } finally {
        arm();
      }
    });
    run.catch(() => {}); // when the deadline wins, nobody awaits it
    try {
      return (await Promise.race([run, fired])).value;
    } finally {
      clearTimeout(timer);
    }
  }

  return {
    ...top,
    engine: "postgres",
    get raw() {
      return sql;
    },
    location,
    // The server's statement timeout cannot fire if the server never sees
    // the query (a network that drops packets): the health check gives up
    // at the statement timeout itself.
    ping: () =>
      attempt(async () =>
        void await within(sql.unsafe("SELECT 1"), statementTimeoutMs, location)
      ),
    changes,
    close: async () => {
      await changes?.close();
      deadlines.close();
      await sql.end({ timeout: 5 });
    },
  };
}

/** Where {@linkcode bounded} carries `fn`'s result (see there). */
type Box<T> = { value: T };

/** A postgres.js query: a promise that starts when executed, and can be cancelled. */
type Pending<T> = Promise<T> & { execute(): unknown };

/**
 * `pending`'s answer, or {@linkcode DatabaseUnavailableError} after `ms`.
 * Then a query that was sent is cancelled (the server is asked to stop
 * it); one that never reached a connection is left to `stuck`, which
 * makes sure it never runs later.
 *
 * postgres.js retries a connection that the far end closes during its
 * start-up (a proxy or port mapping in front of a database that is down)
 * without limit, and holds the queries waiting for it meanwhile; nor does
 * any timer of its own cover a query sent on a connection that stopped
 * forwarding. This is the bound on both.
 */
function within<T>(
  pending: Pending<T>,
  ms: number,
  location: string,
  stuck?: () => void,
): Promise<T> {
  pending.execute();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      // `state` is set once the query is sent on a connection.
      if ((pending as { state?: unknown }).state) cancel(pending);
      else stuck?.();
      reject(
        new DatabaseUnavailableError(
          `PostgreSQL at ${location} did not answer within ${ms} ms`,
        ),
      );
    }, ms);
  });
  pending.catch(() => {}); // when the deadline wins, nobody awaits it
  return Promise.race([pending, late]).finally(() => clearTimeout(timer));
}

/** One deadline of {@linkcode Deadlines}. */
interface Deadline {
  at: number;
  expire: () => void;
}

/**
 * The deadlines of the statements in flight, checked by one interval
 * rather than a timer per statement: a statement then costs a Set insert
 * and delete, where a `setTimeout` with its `clearTimeout` and the
 * `Promise.race` around it cost several microseconds on every query. A
 * deadline fires up to {@linkcode DEADLINE_TICK_MS} late, a small part of
 * the second of grace it includes. The interval runs only while
 * statements are in flight (stopped at the first tick that finds none).
 *
 * What the deadline bounds: postgres.js retries a connection that the far
 * end closes during its start-up (a proxy or port mapping in front of a
 * database that is down) without limit, and holds the queries waiting for
 * it meanwhile; nor does any timer of its own cover a query sent on a
 * connection that stopped forwarding.
 */
class Deadlines {
  readonly #pending = new Set<Deadline>();
  #timer: ReturnType<typeof setInterval> | undefined;

  add(ms: number, expire: () => void): Deadline {
    const deadline = { at: performance.now() + ms, expire };
    this.#pending.add(deadline);
    this.#timer ??= setInterval(() => this.#check(), DEADLINE_TICK_MS);
    return deadline;
  }

  delete(deadline: Deadline): void {
    this.#pending.delete(deadline);
  }

  close(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  #check(): void {
    if (this.#pending.size === 0) return this.close();
    const now = performance.now();
    for (const deadline of this.#pending) {
      if (deadline.at <= now) {
        this.#pending.delete(deadline);
        deadline.expire();
      }
    }
  }
}

/** How often {@linkcode Deadlines} looks for statements past theirs. */
const DEADLINE_TICK_MS = 50;

/**
 * Cancels a postgres.js query. Its own `cancel()` drops the promise of the
 * cancel request, whose rejection (the server cannot be reached, which is
 * why we cancel) would then be unhandled and end the process; so the
 * canceller it was made with (postgres 3.4.9: `query.canceller`) is called
 * here and its failure ignored.
 */
function cancel(pending: unknown): void {
  const query = pending as {
    canceller?: ((query: unknown) => Promise<void>) | null;
  };
  const canceller = query.canceller;
  if (typeof canceller !== "function") return;
  query.canceller = null;
  try {
    canceller(pending).catch(() => {});
  } catch {
    // Cancelling is best effort: the caller has its answer already.
  }
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
    error instanceof ForeignKeyViolationError ||
    error instanceof DatabaseUnavailableError
  ) {
    return error; // already translated (a statement inside a transaction)
  }
  const code = codeOf(error);
  if (code === undefined) return error;
  if (code === "23505" && error instanceof postgres.PostgresError) {
    return new UniqueViolationError(uniqueTarget(error), { cause: error });
  }
  if (code === "23503") return new ForeignKeyViolationError({ cause: error });
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
