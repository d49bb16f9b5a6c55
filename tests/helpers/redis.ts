/**
 * A throwaway Redis server per test (or the one in `REDIS_URL`).
 *
 * @module
 */
import {
  freePort,
  onFreePort,
  PortInUseError,
  saysPortInUse,
} from "./ports.ts";

// Where it always was; the port helpers live in ports.ts.
export { freePort };

/** A running Redis that a test may stop, kill and bring back. */
export interface TestRedis {
  /** `redis://127.0.0.1:<port>` (or `REDIS_URL` as given). */
  url: string;
  port: number;
  /** Clean shutdown (SIGTERM), resolves once the process has exited. */
  stop(): Promise<void>;
  /** Abrupt death (SIGKILL), to simulate a crash. */
  kill(): Promise<void>;
  /** Start again on the same port (stopping first if still running). */
  restart(): Promise<void>;
}

const READY_TIMEOUT_MS = 5_000;
const STOP_TIMEOUT_MS = 5_000;

// Children still alive when the test process exits would otherwise outlive it
// (a crashed test never reaches its stop()).
const live = new Set<Deno.ChildProcess>();
globalThis.addEventListener("unload", () => {
  for (const c of live) {
    try {
      c.kill("SIGKILL");
    } catch { /* already gone */ }
  }
});

/**
 * Send `PING` over a raw socket and resolve true on `+PONG`.
 * Never throws: connection errors mean "not ready".
 */
export async function ping(port: number, timeoutMs = 1_000): Promise<boolean> {
  let conn: Deno.TcpConn | undefined;
  const timer = setTimeout(() => {
    try {
      conn?.close();
    } catch { /* closed */ }
  }, timeoutMs);
  try {
    conn = await Deno.connect({ hostname: "127.0.0.1", port });
    await conn.write(new TextEncoder().encode("PING\r\n"));
    const buf = new Uint8Array(64);
    let got = "";
    while (!got.includes("\r\n")) {
      const n = await conn.read(buf);
      if (n === null) break;
      got += new TextDecoder().decode(buf.subarray(0, n));
    }
    return got.startsWith("+PONG");
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
    try {
      conn?.close();
    } catch { /* closed by timer */ }
  }
}

function parsePort(url: string): number {
  const u = new URL(url);
  return u.port ? Number(u.port) : 6379;
}

/**
 * Start a private `redis-server` on a free port, or use `REDIS_URL` if set.
 *
 * @example
 * ```ts
 * const redis = await startRedis();
 * try {
 *   // ... connect to redis.url ...
 *   await redis.stop();     // simulate an outage
 *   await redis.restart();  // same port, empty data
 * } finally {
 *   await redis.stop();
 * }
 * ```
 */
export async function startRedis(
  opts: {
    /** Where ports come from (default `freePort`; tests of the retry). */
    pick?: () => number;
  } = {},
): Promise<TestRedis> {
  const external = Deno.env.get("REDIS_URL");
  if (external) {
    return {
      url: external,
      port: parsePort(external),
      stop: () => Promise.resolve(),
      kill: () => Promise.resolve(),
      restart: () =>
        Promise.reject(
          new Error(
            "cannot restart external Redis (REDIS_URL is set); " +
              "unset REDIS_URL to let tests manage their own redis-server",
          ),
        ),
    };
  }

  let port = 0;
  // Its own directory, so a stray SAVE from a test never drops dump.rdb
  // into the repository.
  const dir = await Deno.makeTempDir({ prefix: "islet-redis-" });
  let child: Deno.ChildProcess | undefined;
  let drained: Promise<unknown> = Promise.resolve();
  let log = "";

  async function drain(s: ReadableStream<Uint8Array>): Promise<void> {
    const d = new TextDecoder();
    for await (const chunk of s) log += d.decode(chunk, { stream: true });
  }

  async function start(): Promise<void> {
    log = "";
    let proc: Deno.ChildProcess;
    try {
      proc = new Deno.Command("redis-server", {
        args: [
          "--port",
          String(port),
          "--bind",
          "127.0.0.1",
          "--save",
          "",
          "--appendonly",
          "no",
          "--dir",
          dir,
          "--daemonize",
          "no",
        ],
        stdin: "null",
        stdout: "piped",
        stderr: "piped",
      }).spawn();
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) {
        throw new Error(
          "redis-server not found: install it (apt-get install redis-server) " +
            "or set REDIS_URL",
        );
      }
      throw e;
    }
    child = proc;
    live.add(proc);
    drained = Promise.all([drain(proc.stdout), drain(proc.stderr)]);

    let exited = false;
    proc.status.then(() => exited = true);
    const deadline = Date.now() + READY_TIMEOUT_MS;
    while (Date.now() < deadline) {
      if (exited) break;
      // Its own line, not only a PONG: whoever took the port first (another
      // test's Redis) would answer the PING too.
      if (
        log.includes("Ready to accept connections") && await ping(port, 500)
      ) {
        return;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    await halt("SIGKILL");
    if (saysPortInUse(log)) throw new PortInUseError(port, log);
    throw new Error(
      `redis-server on port ${port} did not become ready within ` +
        `${READY_TIMEOUT_MS} ms${exited ? " (it exited)" : ""}:\n${log}`,
    );
  }

  async function halt(signal: Deno.Signal): Promise<void> {
    const proc = child;
    if (!proc) return;
    child = undefined;
    try {
      proc.kill(signal);
    } catch { /* already exited */ }
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timedOut = await Promise.race([
      proc.status.then(() => false),
      new Promise<boolean>((r) =>
        timer = setTimeout(() => r(true), STOP_TIMEOUT_MS)
      ),
    ]);
    clearTimeout(timer);
    if (timedOut) {
      proc.kill("SIGKILL");
      await proc.status;
    }
    await drained;
    live.delete(proc);
  }

  // The first start may move to another port; a restart keeps its port
  // (tests reconnect to the same URL) and fails if it was taken meanwhile.
  try {
    await onFreePort((p) => {
      port = p;
      return start();
    }, { pick: opts.pick });
  } catch (e) {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
    throw e;
  }
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    async stop() {
      // SIGTERM is redis' clean shutdown (with --save "" it writes nothing).
      await halt("SIGTERM");
      // Only scratch space; restart() recreates it.
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    },
    kill: () => halt("SIGKILL"),
    async restart() {
      await halt("SIGTERM");
      await Deno.mkdir(dir, { recursive: true });
      await start();
    },
  };
}
