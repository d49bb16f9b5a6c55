/**
 * The PostgreSQL engine's {@linkcode ChangeFeed}: one connection per worker
 * that LISTENs for the notices the triggers of migration 0002 send on
 * commit, and proves every second that it still hears them.
 *
 * Fails closed. The epoch is null (nothing kept may be used) until the
 * LISTEN is in place and a first heartbeat has come back through it; it
 * changes at every new LISTEN (notices sent while no connection listened
 * are lost for good: PostgreSQL keeps none for a listener that is not
 * there), and it is null again as soon as:
 * - the connection closes or errs (postgres.js `onclose`): at once;
 * - a heartbeat goes unanswered: each second this worker NOTIFYs a channel
 *   of its own on the same connection, and when no echo has arrived for
 *   {@linkcode SILENCE_MS} the connection is taken for dead (a network
 *   that drops packets closes nothing) and replaced.
 * Bound: a change committed while the connection is silently dead can be
 * served from memory for at most {@linkcode SILENCE_MS} (2 s) after the
 * last echo that came back, and so about 2 s after the change (plus one
 * round trip). Notices and echoes travel in commit order on one
 * connection, so an echo that arrives proves every notice committed before
 * its NOTIFY has arrived first.
 *
 * Read-your-writes inside a worker: the engine calls
 * {@linkcode PgChangeFeed.wrote} when a write of this worker has finished;
 * {@linkcode PgChangeFeed.pending} stays true until an echo of a NOTIFY
 * sent after it comes back, which (commit order again) comes after the
 * write's own notices. Kept rows are not used meanwhile (one round trip).
 * Other workers and instances see a change when its notice reaches them,
 * as they see a revoked session over Redis.
 *
 * Options rejected:
 * - postgres.js `sql.listen`: its own re-LISTEN after a lost connection is
 *   tried once, and a failure (the database still down) drops the
 *   listener for good, without telling us; nor does it say when the
 *   connection is gone. One connection of our own, re-LISTENed by the
 *   heartbeat, knows both.
 * - One listening worker relaying notices to the others of the process
 *   over a `BroadcastChannel`: one connection fewer per worker, but each
 *   worker would then have to prove the relay alive as well; a connection
 *   per worker keeps each one's guarantee its own.
 * - Heartbeats on the pool: an echo would prove the listener hears, but
 *   the ping would queue behind requests under load and go unanswered.
 *
 * @module
 */
import type postgres from "postgres";
import type { ChangeFeed } from "./changes.ts";

/** The channel the triggers of migration 0002 NOTIFY. */
export const CHANGES_CHANNEL = "islet_changes";

/** How often the heartbeat is sent (and a lost LISTEN retried). */
export const HEARTBEAT_MS = 1_000;

/** Longest time without an echo before the connection counts as dead. */
export const SILENCE_MS = 2_000;

/** The hooks the connection must be opened with. */
export interface ListenHooks {
  onnotify(channel: string, payload: string): void;
  onclose(): void;
}

/** Options of {@linkcode PgChangeFeed.start}. */
export interface PgChangeFeedOptions {
  /** Opens one connection (postgres.js, `max: 1`) with these hooks. */
  connect(hooks: ListenHooks): postgres.Sql;
  /** Longest a LISTEN or a heartbeat may take to be sent. */
  deadlineMs: number;
  heartbeatMs?: number;
  silenceMs?: number;
  /** Monotonic clock in ms (tests). */
  now?: () => number;
}

/**
 * Change notices from PostgreSQL, for one worker. Built by the engine
 * (`openPostgres(url, { changes: true })`), read through `db.changes`.
 *
 * @example
 * ```ts
 * import postgres from "postgres";
 * const feed = PgChangeFeed.start({
 *   connect: (hooks) => postgres("postgres://localhost/islet", { max: 1, ...hooks }),
 *   deadlineMs: 5_000,
 * });
 * const stop = feed.subscribe((key) => console.log("changed:", key));
 * stop();
 * await feed.close();
 * ```
 */
export class PgChangeFeed implements ChangeFeed {
  readonly #connect: (hooks: ListenHooks) => postgres.Sql;
  readonly #deadlineMs: number;
  readonly #silenceMs: number;
  readonly #now: () => number;
  readonly #pingChannel = `islet_ping_${
    crypto.randomUUID().replaceAll("-", "")
  }`;
  readonly #listeners = new Set<(key: string) => void>();
  #timer: ReturnType<typeof setInterval> | undefined;
  #closed = false;

  #sql: postgres.Sql | null = null;
  // Bumped whenever the connection is replaced: hooks of an old one are ignored.
  #connection = 0;
  #subscribing = false;
  #listening = false;
  // The epoch: bumped by every LISTEN that took.
  #subscription = 0;
  #echoed = false;
  #lastEcho = 0;

  // Heartbeats sent and not yet echoed: sequence → writes finished when sent.
  #seq = 0;
  readonly #sent = new Map<number, number>();
  // Writes of this worker finished, and how many of them an echo covers.
  #writes = 0;
  #covered = 0;
  #waiters: { target: number; resolve: () => void }[] = [];

  private constructor(options: PgChangeFeedOptions) {
    this.#connect = options.connect;
    this.#deadlineMs = options.deadlineMs;
    this.#silenceMs = options.silenceMs ?? SILENCE_MS;
    this.#now = options.now ?? (() => performance.now());
  }

  /**
   * Starts listening (in the background: the epoch is null until the
   * first echo) and the heartbeat.
   *
   * @example
   * ```ts
   * import type { ListenHooks } from "./postgres_changes.ts";
   * import type postgres from "postgres";
   * declare const open: (hooks: ListenHooks) => postgres.Sql;
   * const feed = PgChangeFeed.start({ connect: open, deadlineMs: 2_000 });
   * ```
   */
  static start(options: PgChangeFeedOptions): PgChangeFeed {
    const feed = new PgChangeFeed(options);
    feed.#timer = setInterval(
      () => feed.#tick(),
      options.heartbeatMs ?? HEARTBEAT_MS,
    );
    void feed.#subscribe();
    return feed;
  }

  epoch(): number | null {
    if (!this.#listening || !this.#echoed) return null;
    if (this.#now() - this.#lastEcho > this.#silenceMs) return null;
    return this.#subscription;
  }

  pending(): boolean {
    return this.#covered < this.#writes;
  }

  subscribe(onNotice: (key: string) => void): () => void {
    this.#listeners.add(onNotice);
    return () => void this.#listeners.delete(onNotice);
  }

  sync(): Promise<void> {
    const target = ++this.#writes;
    const { promise, resolve, reject } = Promise.withResolvers<void>();
    const waiter = { target, resolve };
    this.#waiters.push(waiter);
    const timer = setTimeout(() => {
      this.#waiters = this.#waiters.filter((w) => w !== waiter);
      reject(new Error("change notices are not reaching this worker"));
    }, this.#silenceMs + this.#deadlineMs);
    if (this.#listening && this.#sent.size === 0) void this.#ping();
    return promise.finally(() => clearTimeout(timer));
  }

  /**
   * Says a write of this worker has finished (committed, or failed in a
   * way that may have committed): {@linkcode pending} until its notices
   * are known to have arrived.
   *
   * @example
   * ```ts
   * declare const feed: PgChangeFeed;
   * feed.wrote();
   * feed.pending(); // true, until the echo
   * ```
   */
  wrote(): void {
    this.#writes++;
    // A heartbeat already on its way was sent before this write: its echo
    // sends the next one (see #echo).
    if (this.#listening && this.#sent.size === 0) void this.#ping();
  }

  /** Stops listening; the epoch stays null. */
  async close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#timer);
    const sql = this.#lose();
    for (const w of this.#waiters) w.resolve();
    this.#waiters = [];
    await sql?.end({ timeout: 0 }).catch(() => {});
  }

  #tick(): void {
    if (this.#closed || this.#subscribing) return;
    if (!this.#listening) {
      void this.#subscribe();
    } else if (this.#now() - this.#lastEcho > this.#silenceMs) {
      // Open but unheard: replace it.
      void this.#subscribe();
    } else {
      void this.#ping();
    }
  }

  /** Forgets the connection (null epoch); returns it, to be ended. */
  #lose(): postgres.Sql | null {
    const sql = this.#sql;
    this.#sql = null;
    this.#connection++;
    this.#listening = false;
    this.#echoed = false;
    this.#sent.clear();
    return sql;
  }

  async #subscribe(): Promise<void> {
    if (this.#closed) return;
    this.#subscribing = true;
    this.#lose()?.end({ timeout: 0 }).catch(() => {});
    const id = this.#connection;
    const mine = () => id === this.#connection && !this.#closed;
    const sql = this.#connect({
      onnotify: (channel, payload) => {
        if (mine()) this.#notified(channel, payload);
      },
      onclose: () => {
        if (mine()) this.#lose()?.end({ timeout: 0 }).catch(() => {});
      },
    });
    this.#sql = sql;
    try {
      await this.#bounded(
        sql.unsafe(`LISTEN ${CHANGES_CHANNEL}; LISTEN "${this.#pingChannel}"`),
      );
      if (!mine()) return;
      this.#listening = true;
      this.#subscription++;
      this.#lastEcho = this.#now();
      void this.#ping();
    } catch {
      if (mine()) this.#lose()?.end({ timeout: 0 }).catch(() => {});
    } finally {
      this.#subscribing = false;
    }
  }

  async #ping(): Promise<void> {
    const sql = this.#sql;
    if (sql === null) return;
    const id = this.#connection;
    const seq = ++this.#seq;
    this.#sent.set(seq, this.#writes);
    try {
      await this.#bounded(
        sql.unsafe("SELECT pg_notify($1, $2)", [this.#pingChannel, `${seq}`]),
      );
    } catch {
      if (id === this.#connection) {
        this.#lose()?.end({ timeout: 0 }).catch(() => {});
      }
    }
  }

  #notified(channel: string, payload: string): void {
    if (channel === CHANGES_CHANNEL) {
      for (const listener of this.#listeners) listener(payload);
    } else if (channel === this.#pingChannel) {
      this.#echo(Number(payload));
    }
  }

  #echo(seq: number): void {
    const covered = this.#sent.get(seq);
    if (covered === undefined) return; // from before a reconnection
    for (const s of this.#sent.keys()) if (s <= seq) this.#sent.delete(s);
    this.#lastEcho = this.#now();
    this.#echoed = true;
    if (covered > this.#covered) this.#covered = covered;
    if (this.#waiters.length > 0) {
      const done = this.#waiters.filter((w) => w.target <= this.#covered);
      this.#waiters = this.#waiters.filter((w) => w.target > this.#covered);
      for (const w of done) w.resolve();
    }
    // Writes finished since that heartbeat was sent need one of their own.
    if (this.#covered < this.#writes && this.#sent.size === 0) {
      void this.#ping();
    }
  }

  /** `pending`, or a rejection after the deadline (it is then ended). */
  async #bounded<T>(pending: Promise<T>): Promise<T> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error("no answer")),
        this.#deadlineMs,
      );
    });
    pending.catch(() => {});
    try {
      return await Promise.race([pending, late]);
    } finally {
      clearTimeout(timer);
    }
  }
}
