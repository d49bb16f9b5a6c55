/**
 * Validated sessions kept in process, so that a signed-in request costs no
 * network round trip for its session (PostgreSQL costs ~180 µs a query here,
 * Redis ~100 µs, a Map lookup well under 1 µs).
 *
 * Decision: a bounded Map of validated session rows in each worker, in front
 * of the shared cache and the database, emptied by revocation messages. Every
 * revocation (sign-out, ending a session, password reset, expiry found on
 * use) drops the id here at once, then tells the other workers of this
 * process over a `BroadcastChannel` and the other instances over the
 * cache's publish/subscribe (Redis). It fails closed:
 * - the Map is used only while the cache says published messages reach us
 *   (`Cache.subscriptionEpoch()` is a number): while Redis is away it is
 *   emptied and bypassed, and validation goes to Redis/the database as
 *   before;
 * - when that number changes (the subscriber connection was lost and came
 *   back, so messages may have been missed), the Map is emptied;
 * - a row read before a revocation arrived is never stored after it: any
 *   drop or flush since the validation began refuses the store.
 * - entries live at most {@linkcode LOCAL_TTL_MS} and never past the
 *   session's deadlines, which are checked on every hit anyway (the entry is
 *   a copy of the row, not a verdict, exactly as in the shared cache).
 *
 * The user is not kept here. On SQLite it is read from the database on
 * every request (~3 µs); on PostgreSQL it is kept by `db/row_cache.ts`,
 * which the database itself empties through change notices (triggers), so
 * a change of tier, 2FA or e-mail, or a deletion, is seen by the next
 * request without any write to a user having to announce itself.
 *
 * Options rejected:
 * - Caching the user here too, invalidated by the application: every write
 *   to users (billing webhooks, 2FA, password, e-mail verification,
 *   deletion, and whatever a developer adds) would have to publish an
 *   invalidation, and one that is forgotten serves a stale tier or a
 *   deleted account.
 * - Short TTL without messages: a revoked session would stay usable for the
 *   TTL on other instances, which the design forbids.
 * - Checking the database on every hit ("is it still there?"): that is the
 *   round trip this layer exists to save.
 * - Trusting the subscription while Redis is down and replaying later: the
 *   messages published meanwhile are gone (Redis pub/sub has no history).
 *
 * @module
 */
import type { Cache } from "../cache/cache.ts";
import type { CachedSessionRow } from "./session_cache.ts";
import { cacheKey } from "./session_cache.ts";

/** Longest time an entry is served from process memory. */
export const LOCAL_TTL_MS = 5 * 60_000;

/** The publish/subscribe channel of revoked session ids. */
export const REVOKED_CHANNEL = "islet:sessions:revoked";

// Session ids are base32/hex; anything else in a message is ignored.
const ID = /^[A-Za-z0-9_-]{1,128}$/;

/** Options of {@linkcode LocalSessions}. */
export interface LocalSessionsOptions {
  /** Most sessions kept; the oldest stored goes first. Default 50 000. */
  maxEntries?: number;
  /**
   * The `BroadcastChannel` shared by the workers of one `deno serve
   * --parallel` process, or null for none (one worker, or tests that stand
   * for separate machines inside one process).
   */
  workerChannel?: string | null;
  /** Clock in ms (tests). */
  now?: () => number;
}

/** What {@linkcode LocalSessions.begin} hands out: proof of what was seen when. */
export interface LocalTicket {
  readonly generation: number;
}

/**
 * The in-process layer of validated sessions and the messages that keep it
 * right. Create with {@linkcode LocalSessions.start}.
 *
 * @example
 * ```ts
 * import { createMemoryCache } from "../cache/memory.ts";
 * const cache = createMemoryCache();
 * const local = await LocalSessions.start(cache, { workerChannel: null });
 * await local.revoke(["someSessionId"]); // dropped everywhere
 * await local.close();
 * await cache.close();
 * ```
 */
export class LocalSessions {
  readonly #map = new Map<string, { row: CachedSessionRow; until: number }>();
  readonly #cache: Cache;
  readonly #max: number;
  readonly #now: () => number;
  // Bumped by every drop and flush: a validation that began before one
  // cannot store what it read.
  #generation = 0;
  // The cache's subscription epoch the Map's content was filled under.
  #epoch: number | null = null;
  #channel: BroadcastChannel | null = null;
  #unsubscribe: (() => Promise<void>) | null = null;

  private constructor(cache: Cache, options: LocalSessionsOptions) {
    this.#cache = cache;
    this.#max = options.maxEntries ?? 50_000;
    this.#now = options.now ?? Date.now;
  }

  /**
   * Subscribes to revocations (cache channel, and the worker channel when
   * named) and returns the layer.
   *
   * @example
   * ```ts
   * import type { Cache } from "../cache/cache.ts";
   * declare const cache: Cache;
   * const local = await LocalSessions.start(cache, { workerChannel: "islet-workers:data/islet.db" });
   * ```
   */
  static async start(
    cache: Cache,
    options: LocalSessionsOptions = {},
  ): Promise<LocalSessions> {
    const local = new LocalSessions(cache, options);
    local.#unsubscribe = await cache.subscribe(
      REVOKED_CHANNEL,
      (m) => local.#received(m),
    );
    if (options.workerChannel) {
      const ch = new BroadcastChannel(options.workerChannel);
      ch.onmessage = (e) => {
        if (typeof e.data === "string") local.#received(e.data);
      };
      local.#channel = ch;
    }
    return local;
  }

  /** Drops ids announced by another worker or instance. */
  #received(message: string): void {
    const ids = message.split(" ").filter((id) => ID.test(id));
    this.#drop(ids);
    // Without Redis the "shared" cache is this worker's own Map: the worker
    // that revoked could only clear its own copy.
    if (this.#cache.status() === "in-process" && ids.length > 0) {
      void this.#cache.delete(...ids.map(cacheKey)).catch(() => {});
    }
  }

  #drop(ids: readonly string[]): void {
    this.#generation++;
    for (const id of ids) this.#map.delete(id);
  }

  #flush(): void {
    this.#generation++;
    this.#map.clear();
  }

  /** True while the Map may be used; empties it when that is not known. */
  #trusted(): boolean {
    const epoch = this.#cache.subscriptionEpoch();
    if (epoch !== this.#epoch) {
      this.#flush();
      this.#epoch = epoch;
    }
    return epoch !== null;
  }

  /**
   * To call before reading a session from the cache or the database: the
   * ticket that {@linkcode store} needs, or null when nothing may be stored
   * (revocations might not reach this instance now).
   *
   * @example
   * ```ts
   * declare const local: LocalSessions;
   * const ticket = local.begin();
   * ```
   */
  begin(): LocalTicket | null {
    return this.#trusted() ? { generation: this.#generation } : null;
  }

  /**
   * The stored row of a session, or null (absent, too old, or the layer is
   * not trusted now).
   *
   * @example
   * ```ts
   * declare const local: LocalSessions;
   * const row = local.get("sessionId");
   * ```
   */
  get(id: string): CachedSessionRow | null {
    if (!this.#trusted()) return null;
    const e = this.#map.get(id);
    if (e === undefined) return null;
    if (this.#now() >= e.until) {
      this.#map.delete(id);
      return null;
    }
    return e.row;
  }

  /**
   * Stores a validated row until `deadline` (capped at
   * {@linkcode LOCAL_TTL_MS}), unless anything was dropped or flushed since
   * `ticket` was taken. Returns whether it was stored.
   *
   * @example
   * ```ts
   * declare const local: LocalSessions;
   * import type { CachedSessionRow } from "./session_cache.ts";
   * declare const row: CachedSessionRow;
   * const ticket = local.begin();
   * // ... read and check the row ...
   * local.store(ticket, row, row.expiresAt);
   * ```
   */
  store(
    ticket: LocalTicket | null,
    row: CachedSessionRow,
    deadline: number,
  ): boolean {
    if (ticket === null || ticket.generation !== this.#generation) return false;
    if (!this.#trusted()) return false;
    const until = Math.min(deadline, this.#now() + LOCAL_TTL_MS);
    if (until <= this.#now()) return false;
    this.#map.delete(row.id);
    this.#map.set(row.id, { row, until });
    while (this.#map.size > this.#max) {
      this.#map.delete(this.#map.keys().next().value!);
    }
    return true;
  }

  /**
   * Announces ended sessions: dropped here at once, then in the other
   * workers of this process, then on every other instance (through the
   * cache; while Redis is away those are not reached, but they do not use
   * their Map then either).
   *
   * @example
   * ```ts
   * declare const local: LocalSessions;
   * await local.revoke(["id1", "id2"]);
   * ```
   */
  async revoke(ids: readonly string[]): Promise<void> {
    const valid = ids.filter((id) => ID.test(id));
    if (valid.length === 0) return;
    this.#drop(valid);
    const message = valid.join(" ");
    this.#channel?.postMessage(message);
    try {
      await this.#cache.publish(REVOKED_CHANNEL, message);
    } catch {
      // Redis away: nobody uses a Map then (see subscriptionEpoch).
    }
  }

  /** How many sessions are held (tests, diagnostics). */
  get size(): number {
    return this.#map.size;
  }

  /** Stops listening and forgets everything. */
  async close(): Promise<void> {
    this.#flush();
    this.#channel?.close();
    this.#channel = null;
    await this.#unsubscribe?.();
    this.#unsubscribe = null;
  }
}
