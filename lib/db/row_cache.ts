/**
 * Rows kept in process memory and emptied by the database's own change
 * notices (`changes.ts`): the user of a session and the list of a user's
 * sessions, which a signed-in request on PostgreSQL would otherwise read
 * on every request (two round trips, ~50 µs of CPU each here, against a
 * budget of ~26 µs over SQLite for the whole request).
 *
 * Decision: each worker keeps a bounded Map, key → value, where the key is
 * the notice that announces a change to it (`user:<id>`,
 * `sessions:<userId>`). The triggers of migration 0002 send those notices
 * on commit for every write, whoever makes it (this app, another instance,
 * a script, psql), so no application write has to remember anything. It
 * fails closed, as `auth/session_local.ts` does:
 * - nothing is used or stored while the feed's epoch is null (the
 *   listening connection is not known to hear, see `postgres_changes.ts`
 *   for the bound), and everything is dropped when the epoch changes;
 * - nothing is used while a write of this worker may not have been
 *   announced back yet (`pending`): a request sees its own writes;
 * - a value read before a notice arrived is never stored after it: every
 *   notice bumps a generation, and a read that began under an older one
 *   stores nothing;
 * - entries live at most {@linkcode ROW_TTL_MS}, and values are frozen
 *   (every request gets the same object).
 * SQLite has no feed: there nothing is kept (a read costs ~3 µs).
 *
 * Options rejected:
 * - Publishing invalidations from the application's writes (Redis, as for
 *   sessions): every write to users (billing webhooks, 2FA, e-mail,
 *   deletion, whatever is added later) would have to remember to, and a
 *   forgotten one serves a stale tier or a deleted account.
 * - A short TTL without notices: a changed tier or 2FA setting would be
 *   served stale for the TTL.
 * - Asking the database whether anything changed (a version column) on
 *   each request: that is the round trip this saves.
 * - A generation per key: fewer refused stores when unrelated rows change,
 *   at the price of tracking every read in flight; a refused store is only
 *   a miss.
 *
 * @module
 */
import { ALL_CHANGED, type ChangeFeed } from "./changes.ts";

/** Longest time a value is served from process memory. */
export const ROW_TTL_MS = 5 * 60_000;

/** Options of {@linkcode RowCache.start}. */
export interface RowCacheOptions {
  /** Most values kept; the oldest stored goes first. Default 20 000. */
  maxEntries?: number;
  /** Clock in ms (tests). */
  now?: () => number;
}

/**
 * Values kept while the database's change notices say they are current.
 *
 * @example
 * ```ts
 * import type { ChangeFeed } from "./changes.ts";
 * import { userKey } from "./changes.ts";
 * import { getUserById } from "./users.ts";
 * import type { Db } from "./db.ts";
 * declare const db: Db;
 * declare const feed: ChangeFeed;
 * const rows = RowCache.start(feed);
 * const user = await rows.read(userKey("id"), () => getUserById(db, "id"));
 * rows.close();
 * ```
 */
export class RowCache {
  readonly #map = new Map<string, { value: unknown; until: number }>();
  readonly #feed: ChangeFeed;
  readonly #max: number;
  readonly #now: () => number;
  // Bumped by every notice and flush: a read that began before one cannot
  // store what it read.
  #generation = 0;
  // The feed's epoch the Map's content was filled under.
  #epoch: number | null = null;
  #stop: () => void;

  private constructor(feed: ChangeFeed, options: RowCacheOptions) {
    this.#feed = feed;
    this.#max = options.maxEntries ?? 20_000;
    this.#now = options.now ?? Date.now;
    this.#stop = feed.subscribe((key) => this.#changed(key));
  }

  /**
   * Starts keeping values, emptied by `feed`'s notices.
   *
   * @example
   * ```ts
   * import type { Db } from "./db.ts";
   * declare const db: Db;
   * const rows = db.changes ? RowCache.start(db.changes) : undefined;
   * ```
   */
  static start(feed: ChangeFeed, options: RowCacheOptions = {}): RowCache {
    return new RowCache(feed, options);
  }

  #changed(key: string): void {
    this.#generation++;
    if (key === ALL_CHANGED) this.#map.clear();
    else this.#map.delete(key);
  }

  /** True while the Map may be used; empties it when that is not known. */
  #trusted(): boolean {
    const epoch = this.#feed.epoch();
    if (epoch !== this.#epoch) {
      this.#generation++;
      this.#map.clear();
      this.#epoch = epoch;
    }
    return epoch !== null && !this.#feed.pending();
  }

  /**
   * The value kept under `key`, or else what `load` reads, kept when it is
   * not null and nothing announced a change meanwhile. `key` must be the
   * notice that announces a change to what `load` reads.
   *
   * @example
   * ```ts
   * import { sessionsKey } from "./changes.ts";
   * import { listSessionsForUser } from "./sessions.ts";
   * import type { Db } from "./db.ts";
   * declare const db: Db;
   * declare const rows: RowCache;
   * const list = await rows.read(sessionsKey("u1"), () => listSessionsForUser(db, "u1"));
   * ```
   */
  async read<T>(key: string, load: () => Promise<T>): Promise<T> {
    if (!this.#trusted()) return await load();
    const entry = this.#map.get(key);
    if (entry !== undefined) {
      if (this.#now() < entry.until) return entry.value as T;
      this.#map.delete(key);
    }
    const generation = this.#generation;
    const value = await load();
    if (
      value !== null && value !== undefined &&
      // In this order: an epoch that changed meanwhile bumps the generation.
      this.#trusted() && generation === this.#generation
    ) {
      this.#map.set(key, {
        value: freeze(value),
        until: this.#now() + ROW_TTL_MS,
      });
      while (this.#map.size > this.#max) {
        this.#map.delete(this.#map.keys().next().value!);
      }
    }
    return value;
  }

  /** How many values are kept (tests, diagnostics). */
  get size(): number {
    return this.#map.size;
  }

  /** Stops listening and forgets everything. */
  close(): void {
    this.#stop();
    this.#generation++;
    this.#map.clear();
  }
}

/** Freezes a value and, for an array, its elements (one level each). */
function freeze<T>(value: T): T {
  if (Array.isArray(value)) { for (const item of value) Object.freeze(item); }
  return Object.freeze(value);
}
