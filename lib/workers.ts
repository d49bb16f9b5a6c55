/**
 * Telling whether this process runs several workers (`deno serve
 * --parallel`), and refusing that without Redis.
 *
 * What `deno serve --parallel` is, as measured on Deno 2.9 (and read in
 * its `cli/tools/serve.rs`): one process, one thread per worker (count =
 * `DENO_JOBS` or the cores), each thread a full isolate that loads the app
 * module and serves the same port. Workers share no JavaScript memory; a
 * `BroadcastChannel` does reach every worker of the process (not other
 * processes). Deno tells a worker neither that it is one of several nor
 * how many there are, so workers find each other by saying hello.
 *
 * Decision: several workers need Redis. Without it, rate limits live in
 * each worker's memory, so N workers would allow N times each limit, and
 * the in-process cache would be N copies. Sessions are kept right across
 * workers anyway (revocations go over a `BroadcastChannel`, see
 * `auth/session_local.ts`), but the limits are not, so a process that
 * finds a second worker without `REDIS_URL` stops with a clear message
 * instead of serving with limits multiplied. `deno task start` passes
 * `--parallel` only when `REDIS_URL` is set. Rejected: counting limits in
 * the database (a write transaction on every request for the default
 * 100/min policy, contended by every worker; SQLite's single writer makes
 * that the bottleneck of the very setup meant to use more cores), and one
 * worker counting for the others over messages (a round trip through
 * another isolate's event loop on every request, and no way to elect it
 * reliably).
 *
 * @module
 */

/** The channel workers say hello on. */
const HELLO = "islet-workers:hello";

/**
 * Calls `onPeer` once when another worker of this process announces
 * itself (now or later); returns a function that stops listening.
 *
 * @example
 * ```ts
 * const stop = watchPeerWorkers(() => console.log("not alone"));
 * stop();
 * ```
 */
export function watchPeerWorkers(onPeer: () => void): () => void {
  const me = crypto.randomUUID();
  const channel = new BroadcastChannel(HELLO);
  let told = false;
  channel.onmessage = (e) => {
    const d = e.data as { from?: unknown; reply?: unknown } | null;
    if (typeof d?.from !== "string" || d.from === me) return;
    // A newcomer says hello; the ones already there answer, so the
    // newcomer learns of them too.
    if (d.reply !== true) channel.postMessage({ from: me, reply: true });
    if (!told) {
      told = true;
      onPeer();
    }
  };
  channel.postMessage({ from: me });
  return () => channel.close();
}

/**
 * The message for several workers without Redis.
 *
 * @example
 * ```ts
 * console.error(PARALLEL_NEEDS_REDIS);
 * ```
 */
export const PARALLEL_NEEDS_REDIS =
  "Islet cannot start.\nSeveral workers are running (deno serve --parallel) but REDIS_URL is not set: " +
  "rate limits would be counted by each worker separately. Set REDIS_URL, " +
  "or run one worker (deno serve without --parallel).";
