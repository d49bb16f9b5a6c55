/**
 * Subscriptions of the Redis cache, on their own connection (a connection
 * in subscribe mode can run no other command).
 *
 * @module
 */

import { deliver } from "./memory.ts";
import { withTimeout } from "./redis_support.ts";

/** The part of a node-redis client this module uses. */
export interface SubscriberClient {
  readonly isReady: boolean;
  subscribe(
    channel: string,
    listener: (message: string, channel: string) => void,
  ): Promise<unknown>;
  unsubscribe(
    channel: string,
    listener: (message: string, channel: string) => void,
  ): Promise<unknown>;
}

/**
 * This instance's subscribers, by channel, over one subscriber connection.
 * node-redis re-subscribes confirmed channels after a reconnection; a
 * SUBSCRIBE that failed during an outage is retried by {@linkcode onReady}.
 *
 * @example
 * ```ts
 * import { createClient } from "redis";
 * const client = createClient({ url: "redis://127.0.0.1:6379" });
 * const subscriber = client.duplicate();
 * await subscriber.connect();
 * const subs = new Subscriptions(subscriber, 500);
 * const off = await subs.subscribe("sessions", (m) => console.log(m));
 * await off();
 * ```
 */
export class Subscriptions {
  readonly #channels = new Map<string, Set<(message: string) => void>>();
  readonly #subscribing = new Map<string, Promise<void>>();
  readonly #client: SubscriberClient;
  readonly #timeoutMs: number;
  // One listener for every channel: it looks handlers up at delivery time,
  // so a stale node-redis subscription can never reach a removed handler.
  readonly #dispatch = (message: string, channel: string) => {
    for (const h of this.#channels.get(channel) ?? []) {
      deliver(h, channel, message);
    }
  };

  constructor(client: SubscriberClient, timeoutMs: number) {
    this.#client = client;
    this.#timeoutMs = timeoutMs;
  }

  #trySubscribe(channel: string): Promise<void> {
    if (!this.#client.isReady) return Promise.resolve();
    return withTimeout(
      this.#client.subscribe(channel, this.#dispatch),
      this.#timeoutMs,
    ).then(() => {}, () => {/* retried by onReady */});
  }

  /** Adds a handler; resolves once the channel is subscribed (or Redis is away). */
  async subscribe(
    channel: string,
    onMessage: (message: string) => void,
  ): Promise<() => Promise<void>> {
    let set = this.#channels.get(channel);
    if (!set) this.#channels.set(channel, set = new Set());
    // Wrapped so the same function subscribed twice is two subscriptions.
    const handler = (m: string) => onMessage(m);
    set.add(handler);
    // Later subscribers wait for the first one's SUBSCRIBE too, so every
    // caller may rely on hearing what is published after it returns.
    if (set.size === 1) {
      this.#subscribing.set(channel, this.#trySubscribe(channel));
    }
    await this.#subscribing.get(channel);
    return async () => {
      set.delete(handler);
      if (set.size > 0 || this.#channels.get(channel) !== set) return;
      this.#channels.delete(channel);
      this.#subscribing.delete(channel);
      // If this fails, dispatch finds no handler: nothing leaks.
      if (this.#client.isReady) {
        await withTimeout(
          this.#client.unsubscribe(channel, this.#dispatch),
          this.#timeoutMs,
        ).catch(() => {});
      }
    };
  }

  /** Delivers to this instance's handlers only (Redis being away). */
  deliverLocally(channel: string, message: string): void {
    for (const h of this.#channels.get(channel) ?? []) {
      queueMicrotask(() => deliver(h, channel, message));
    }
  }

  /** To call when the subscriber connection is (re)established. */
  onReady(): void {
    // Channels already subscribed cost nothing: node-redis sends no command.
    for (const ch of this.#channels.keys()) void this.#trySubscribe(ch);
  }

  /** Forgets every handler. */
  clear(): void {
    this.#channels.clear();
    this.#subscribing.clear();
  }
}
