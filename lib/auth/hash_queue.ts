/**
 * A bounded, first-come-first-served gate for CPU-heavy work (password
 * hashing): at most `concurrency` tasks run at once, at most `maxQueued`
 * wait, and anyone past that is refused at once with
 * {@linkcode QueueFullError} instead of piling up.
 *
 * Why a gate of our own: `@node-rs/argon2` runs each hash as napi async
 * work, which Deno puts on tokio's blocking pool (hundreds of threads, no
 * `UV_THREADPOOL_SIZE` knob), so eight simultaneous sign-ins are eight
 * argon2 threads fighting the event loop for two cores. Gating the calls
 * keeps a core free for serving pages; the queue keeps sign-ins fair and
 * the bound keeps latency and memory (19 MiB per hash) bounded.
 *
 * @module
 */

/**
 * Thrown (as a rejection) by {@linkcode WorkQueue.run} when the queue is
 * full. Carries an estimate of when trying again is worthwhile.
 *
 * @example
 * ```ts
 * const queue = new WorkQueue({ concurrency: 1, maxQueued: 0 });
 * try {
 *   await queue.run(() => Promise.resolve("done"));
 * } catch (err) {
 *   if (err instanceof QueueFullError) console.log(err.retryAfterSeconds);
 * }
 * ```
 */
export class QueueFullError extends Error {
  /** Whole seconds, at least 1. */
  readonly retryAfterSeconds: number;
  constructor(retryAfterSeconds: number) {
    super("Too much work queued; try again later");
    this.name = "QueueFullError";
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** Bounds of a {@linkcode WorkQueue}. */
export interface WorkQueueOptions {
  /** Tasks running at once (at least 1). */
  concurrency: number;
  /** Tasks waiting for a slot (0: refuse whenever every slot is busy). */
  maxQueued: number;
}

/**
 * How many password hashes may run at once by default: every core but one,
 * at least one, so the event loop always has a core of its own.
 *
 * @example
 * ```ts
 * const queue = new WorkQueue({ concurrency: defaultConcurrency(), maxQueued: 32 });
 * ```
 */
export function defaultConcurrency(
  cores: number = navigator.hardwareConcurrency,
): number {
  return Number.isInteger(cores) && cores > 1 ? cores - 1 : 1;
}

// Until a task has been timed, assume one argon2 hash at our parameters.
const INITIAL_TASK_MS = 50;

/**
 * The gate itself. One instance per kind of work.
 *
 * @example
 * ```ts
 * const queue = new WorkQueue({ concurrency: 1, maxQueued: 32 });
 * const digest = await queue.run(() =>
 *   crypto.subtle.digest("SHA-256", new TextEncoder().encode("hello"))
 * );
 * ```
 */
export class WorkQueue {
  readonly concurrency: number;
  readonly maxQueued: number;
  #running = 0;
  // FIFO of waiters; each is resolved with a slot already counted as theirs.
  #waiting: (() => void)[] = [];
  #avgTaskMs = INITIAL_TASK_MS;

  constructor(options: WorkQueueOptions) {
    if (!Number.isInteger(options.concurrency) || options.concurrency < 1) {
      throw new RangeError("concurrency must be a whole number of at least 1");
    }
    if (!Number.isInteger(options.maxQueued) || options.maxQueued < 0) {
      throw new RangeError("maxQueued must be a whole number of at least 0");
    }
    this.concurrency = options.concurrency;
    this.maxQueued = options.maxQueued;
  }

  /** Tasks running now. */
  get running(): number {
    return this.#running;
  }

  /** Tasks waiting for a slot now. */
  get queued(): number {
    return this.#waiting.length;
  }

  /**
   * The error {@linkcode WorkQueue.run} would reject with if called now,
   * or null when it would run or queue the task. Lets a caller refuse
   * before doing work of its own (e.g. counting a sign-in attempt).
   */
  refusal(): QueueFullError | null {
    const full = this.#running >= this.concurrency &&
      this.#waiting.length >= this.maxQueued;
    return full ? new QueueFullError(this.#retryAfterSeconds()) : null;
  }

  /**
   * Runs `task` when a slot is free, in arrival order; rejects with
   * {@linkcode QueueFullError} without running it when the queue is full.
   * The slot is released however the task ends.
   */
  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.#running < this.concurrency && this.#waiting.length === 0) {
      this.#running++;
    } else if (this.#waiting.length >= this.maxQueued) {
      throw this.refusal() ?? new QueueFullError(1);
    } else {
      await new Promise<void>((resolve) => this.#waiting.push(resolve));
    }
    const started = performance.now();
    try {
      return await task();
    } finally {
      // Exponential moving average: follows a change of hash parameters or
      // machine load within a few dozen tasks.
      this.#avgTaskMs = 0.9 * this.#avgTaskMs +
        0.1 * (performance.now() - started);
      this.#release();
    }
  }

  #release(): void {
    const next = this.#waiting.shift();
    // Hand the slot straight to the next waiter so nobody can overtake it.
    if (next !== undefined) next();
    else this.#running--;
  }

  // Time for everything ahead to drain, rounded up to a whole second.
  #retryAfterSeconds(): number {
    const ahead = this.#waiting.length + this.#running;
    const ms = (ahead / this.concurrency) * this.#avgTaskMs;
    return Math.max(1, Math.ceil(ms / 1000));
  }
}
