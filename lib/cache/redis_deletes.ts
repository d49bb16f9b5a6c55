/**
 * Deletions the Redis cache could not make, kept until Redis takes them.
 * A session revoked during an outage must not be served from Redis once it
 * returns, so a failed DEL is remembered, hides the key from reads, and is
 * replayed in batches.
 *
 * @module
 */

/** How {@linkcode PendingDeletes} reaches Redis. */
export interface DeleteTarget {
  /** Whether a DEL may be sent now (connected, not suspended, not closed). */
  canSend(): boolean;
  /** Sends one DEL; rejects when Redis did not take it. */
  send(keys: string[]): Promise<void>;
}

const BATCH = 500;
const RETRY_MS = 1_000;

/**
 * The set of keys awaiting deletion, and its replay.
 *
 * @example
 * ```ts
 * const sent: string[][] = [];
 * const pending = new PendingDeletes({
 *   canSend: () => true,
 *   send: (keys) => { sent.push(keys); return Promise.resolve(); },
 * });
 * pending.add(["session:a"]);
 * await pending.replay(); // sent: [["session:a"]]
 * pending.has("session:a"); // false
 * ```
 */
export class PendingDeletes {
  readonly #keys = new Set<string>();
  readonly #target: DeleteTarget;
  // The pending retry, or "stopped" once the cache is closed.
  #retry: ReturnType<typeof setTimeout> | undefined | "stopped" = undefined;

  constructor(target: DeleteTarget) {
    this.#target = target;
  }

  /** How many keys wait. */
  get size(): number {
    return this.#keys.size;
  }

  /** Whether `key` waits for deletion (a read of it must miss). */
  has(key: string): boolean {
    return this.#keys.has(key);
  }

  /** Remembers keys and tries to send them now. */
  add(keys: Iterable<string>): void {
    for (const k of keys) this.#keys.add(k);
    void this.replay();
  }

  /**
   * Sends what waits, in batches, while Redis takes them. After a failure
   * it tries again in a second: Redis' "ready" event, the other trigger,
   * does not fire again when the socket stayed up (a timeout).
   */
  async replay(): Promise<void> {
    while (
      this.#keys.size > 0 && this.#retry !== "stopped" && this.#target.canSend()
    ) {
      const batch = [...this.#keys].slice(0, BATCH);
      try {
        await this.#target.send(batch);
        for (const k of batch) this.#keys.delete(k);
      } catch {
        if (this.#retry === undefined) {
          const timer = setTimeout(() => {
            this.#retry = undefined;
            void this.replay();
          }, RETRY_MS);
          Deno.unrefTimer(timer);
          this.#retry = timer;
        }
        return;
      }
    }
  }

  /** Stops the retry timer (the cache is closing). */
  stop(): void {
    if (this.#retry !== "stopped") clearTimeout(this.#retry);
    this.#retry = "stopped";
  }
}
