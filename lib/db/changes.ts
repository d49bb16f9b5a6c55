/**
 * Change notices: what an engine that can announce committed changes
 * offers (PostgreSQL, through the triggers of migration 0002 and LISTEN;
 * see `postgres_changes.ts`), so that rows may be kept in process memory
 * (`row_cache.ts`) without any application write having to announce
 * itself. SQLite announces nothing and keeps nothing.
 *
 * A notice is a key naming what changed, as the triggers write it:
 * {@linkcode userKey}, {@linkcode sessionsKey}, {@linkcode sessionKey},
 * {@linkcode preferencesKey} or {@linkcode ALL_CHANGED}.
 *
 * @module
 */

/** The notice of a truncated table: anything may have changed. */
export const ALL_CHANGED = "all";

/**
 * The notice (and cache key) of one user's row.
 *
 * @example
 * ```ts
 * userKey("0b6a…"); // "user:0b6a…"
 * ```
 */
export function userKey(id: string): string {
  return `user:${id}`;
}

/**
 * The notice (and cache key) of the set of a user's sessions.
 *
 * @example
 * ```ts
 * sessionsKey("0b6a…"); // "sessions:0b6a…"
 * ```
 */
export function sessionsKey(userId: string): string {
  return `sessions:${userId}`;
}

/**
 * The notice (and cache key) of one user's preferences row.
 *
 * @example
 * ```ts
 * preferencesKey("0b6a…"); // "preferences:0b6a…"
 * ```
 */
export function preferencesKey(userId: string): string {
  return `preferences:${userId}`;
}

/**
 * The notice of one session row changed or deleted.
 *
 * @example
 * ```ts
 * sessionKey("abc"); // "session:abc"
 * ```
 */
export function sessionKey(id: string): string {
  return `session:${id}`;
}

/**
 * The changes other connections commit, as they are announced to this
 * worker. Everything kept because of it must be dropped when a notice
 * names it, emptied when {@linkcode ChangeFeed.epoch} changes, and not used
 * while it is null.
 */
export interface ChangeFeed {
  /**
   * A number while notices are known to reach this worker, which changes
   * whenever some may have been missed (the listening connection was lost
   * and came back); null while they may not reach it.
   *
   * @example
   * ```ts
   * declare const feed: ChangeFeed;
   * if (feed.epoch() === null) console.log("read from the database");
   * ```
   */
  epoch(): number | null;
  /**
   * True while a write this worker made may not have been announced back
   * to it yet: what is kept may be older than that write, so it is not
   * used meanwhile (read-your-writes within a worker).
   *
   * @example
   * ```ts
   * declare const feed: ChangeFeed;
   * const usable = feed.epoch() !== null && !feed.pending();
   * ```
   */
  pending(): boolean;
  /**
   * Calls `onNotice` with each notice as it arrives; returns a function
   * that stops it.
   *
   * @example
   * ```ts
   * declare const feed: ChangeFeed;
   * const stop = feed.subscribe((key) => console.log("changed:", key));
   * stop();
   * ```
   */
  subscribe(onNotice: (key: string) => void): () => void;
  /**
   * Resolves once every change committed before the call has been
   * announced to this worker; rejects when that cannot be known within
   * the deadline (the listening connection is down).
   *
   * @example
   * ```ts
   * declare const feed: ChangeFeed;
   * // After a write on another connection:
   * await feed.sync();
   * ```
   */
  sync(): Promise<void>;
}
