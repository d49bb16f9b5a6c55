/**
 * The deliverer: hands queued messages (`outbox_table.ts`) to the
 * transport in the background. It runs when woken (after a send) and
 * every few seconds (a send inside a transaction becomes visible only at
 * commit, which the sender cannot wait for), claims due rows, delivers
 * them, deletes each delivered one, and reschedules a failed one with
 * exponential backoff: 30 s, 1 min, 2 min, … up to 6 h between attempts,
 * given up (and logged) once the next attempt would fall more than a day
 * after the message was queued, or at once when the server refused it for
 * good (a 5xx to the envelope or the message).
 *
 * Every app instance and worker runs one; claims keep them from
 * delivering a message twice. A deliverer that dies mid-send leaves its
 * claim to expire (the lease), and the message is sent again: at least
 * once, not exactly once, when a process crashes between the server's
 * acceptance and the DELETE.
 *
 * Logs name the message's id, kind, attempt and the error's code, never
 * its body (single-use links), its address or the server's reply (which
 * may quote the address).
 *
 * @module
 */
import type { Db } from "../db/db.ts";
import type { MailTransport } from "./mail.ts";
import {
  claimDueEmails,
  deleteQueuedEmail,
  type QueuedEmail,
  rescheduleEmail,
} from "./outbox_table.ts";

/** Tuning of a {@linkcode Deliverer}; the defaults are for production. */
export interface DelivererOptions {
  /** Between looks at the table when not woken. */
  pollMs?: number;
  /**
   * How long a claim holds: longer than the transport's worst attempt
   * (SMTP: its connection, greeting and socket timeouts).
   */
  leaseMs?: number;
  /** Messages claimed (and sent concurrently) at a time. */
  batch?: number;
  /** The first retry's delay; doubled at each failure up to `maxBackoffMs`. */
  retryBaseMs?: number;
  maxBackoffMs?: number;
  /** A message still undelivered this long after it was queued is dropped. */
  giveUpAfterMs?: number;
  /** The clock (tests). */
  now?: () => number;
  /** Where failures are reported (default console.error). */
  log?: (line: string) => void;
}

const DEFAULTS = {
  pollMs: 3_000,
  leaseMs: 5 * 60_000,
  batch: 5,
  retryBaseMs: 30_000,
  maxBackoffMs: 6 * 60 * 60_000,
  giveUpAfterMs: 24 * 60 * 60_000,
};

/**
 * The delay before attempt `failures + 1`: `base × 2^(failures − 1)`,
 * at most `max`.
 *
 * @example
 * ```ts
 * backoffMs(1); // 30_000
 * backoffMs(2); // 60_000
 * backoffMs(20); // 21_600_000 (6 h)
 * ```
 */
export function backoffMs(
  failures: number,
  base = DEFAULTS.retryBaseMs,
  max = DEFAULTS.maxBackoffMs,
): number {
  return Math.min(max, base * 2 ** Math.max(0, Math.min(failures - 1, 30)));
}

/**
 * What kind of failure `err` is, for the table and the log: nodemailer's
 * error code and the server's reply code, never the reply text.
 *
 * @example
 * ```ts
 * errorKind(Object.assign(new Error("550 <ada@example.com> unknown"), { code: "EENVELOPE", responseCode: 550 }));
 * // "EENVELOPE 550"
 * errorKind(new TypeError("x")); // "TypeError"
 * ```
 */
export function errorKind(err: unknown): string {
  const e = err as { code?: unknown; responseCode?: unknown; name?: unknown };
  const code = typeof e?.code === "string" && /^[A-Z0-9_]{1,40}$/.test(e.code)
    ? e.code
    : typeof e?.name === "string" && /^\w{1,40}$/.test(e.name)
    ? e.name
    : "Error";
  return typeof e?.responseCode === "number"
    ? `${code} ${e.responseCode}`
    : code;
}

/** A refusal that another attempt would meet again: the server said no for good. */
function isPermanent(err: unknown): boolean {
  const e = err as { code?: unknown; responseCode?: unknown };
  return (e?.code === "EENVELOPE" || e?.code === "EMESSAGE") &&
    typeof e.responseCode === "number" && e.responseCode >= 500 &&
    e.responseCode < 600;
}

/** Delivers the outbox table of `db` through `transport`. */
export class Deliverer {
  readonly #db: Db;
  readonly #transport: MailTransport;
  readonly #from: string;
  readonly #opts: typeof DEFAULTS;
  readonly #now: () => number;
  readonly #log: (line: string) => void;
  #timer: ReturnType<typeof setInterval> | undefined;
  #running: Promise<void> | null = null;
  #again = false;
  #closed = false;

  /**
   * @example
   * ```ts
   * import type { Db } from "../db/db.ts";
   * import { captureTransport } from "./transports/capture.ts";
   * declare const db: Db;
   * const deliverer = new Deliverer(db, captureTransport(), "Islet <no-reply@localhost>");
   * deliverer.start();
   * await deliverer.close();
   * ```
   */
  constructor(
    db: Db,
    transport: MailTransport,
    from: string,
    options: DelivererOptions = {},
  ) {
    this.#db = db;
    this.#transport = transport;
    this.#from = from;
    const { now, log, ...rest } = options;
    this.#opts = { ...DEFAULTS, ...definedOnly(rest) };
    this.#now = now ?? Date.now;
    this.#log = log ?? ((line) => console.error(line));
  }

  /** Starts polling (and delivers what is already due). */
  start(): void {
    if (this.#timer !== undefined || this.#closed) return;
    this.#timer = setInterval(() => this.wake(), this.#opts.pollMs);
    // Mail never keeps a process alive by itself.
    Deno.unrefTimer(this.#timer);
    this.wake();
  }

  /** Looks at the table now (or right after the current pass). */
  wake(): void {
    if (this.#closed) return;
    if (this.#running !== null) {
      this.#again = true;
      return;
    }
    this.#running = this.#loop().finally(() => {
      this.#running = null;
    });
  }

  /**
   * Delivers every message due now and resolves when done (tests, and
   * close): what a pass would do, awaited.
   *
   * @example
   * ```ts
   * declare const deliverer: Deliverer;
   * await deliverer.flush();
   * ```
   */
  async flush(): Promise<void> {
    while (this.#running !== null) await this.#running;
    this.wake();
    while (this.#running !== null) await this.#running;
  }

  /** Stops polling, lets the current pass finish and closes the transport. */
  async close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#timer);
    while (this.#running !== null) await this.#running;
    await this.#transport.close();
  }

  async #loop(): Promise<void> {
    do {
      this.#again = false;
      try {
        // Batches until nothing is due: a burst does not wait for polls.
        while (!this.#closed && await this.#pass() > 0) { /* next batch */ }
      } catch (err) {
        // The database is away: the next poll tries again.
        this.#log(`Mail: reading the outbox failed (${errorKind(err)})`);
      }
    } while (this.#again && !this.#closed);
  }

  async #pass(): Promise<number> {
    const claimed = await claimDueEmails(this.#db, {
      now: this.#now(),
      leaseMs: this.#opts.leaseMs,
      limit: this.#opts.batch,
    });
    await Promise.all(claimed.map((m) => this.#deliverOne(m)));
    return claimed.length;
  }

  async #deliverOne(message: QueuedEmail): Promise<void> {
    try {
      await this.#transport.deliver({
        from: this.#from,
        to: message.to,
        subject: message.subject,
        text: message.text,
        html: message.html,
        kind: message.kind,
      });
    } catch (err) {
      await this.#failed(message, err);
      return;
    }
    await deleteQueuedEmail(this.#db, message.id);
  }

  async #failed(message: QueuedEmail, err: unknown): Promise<void> {
    const kind = errorKind(err);
    const what =
      `Mail ${message.id} (${message.kind}) not delivered on attempt ${message.attempts}: ${kind}`;
    const now = this.#now();
    const next = now +
      backoffMs(
        message.attempts,
        this.#opts.retryBaseMs,
        this.#opts.maxBackoffMs,
      );
    if (isPermanent(err)) {
      this.#log(`${what}; refused for good, dropped`);
      await deleteQueuedEmail(this.#db, message.id);
    } else if (next - message.createdAt > this.#opts.giveUpAfterMs) {
      this.#log(`${what}; given up after ${message.attempts} attempts`);
      await deleteQueuedEmail(this.#db, message.id);
    } else {
      this.#log(
        `${what}; next attempt in ${Math.round((next - now) / 1000)} s`,
      );
      await rescheduleEmail(this.#db, message.id, {
        nextAttemptAt: next,
        error: kind,
      });
    }
  }
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(
    Object.entries(o).filter(([, v]) => v !== undefined),
  ) as Partial<T>;
}
