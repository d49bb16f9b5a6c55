/**
 * A TCP proxy that tests put between a client and Redis to simulate
 * network trouble deterministically (test-only module): `cut()` drops every
 * connection and refuses new ones while Redis keeps its data; `stall()`
 * holds bytes back the way a hung server would.
 *
 * @module
 */

/**
 * A running proxy.
 *
 * @example
 * ```ts
 * const proxy: TcpProxy = startTcpProxy(6379);
 * proxy.stall();
 * ```
 */
export interface TcpProxy {
  /** `redis://127.0.0.1:<port>`. */
  url: string;
  /** Closes open connections and turns new ones away until `resume()`. */
  cut(): void;
  /** Keeps connections open but forwards nothing until `resume()`. */
  stall(): void;
  /** Back to forwarding. */
  resume(): void;
  /** Stops listening and closes everything. */
  close(): Promise<void>;
}

/**
 * Starts a proxy on a free local port to `127.0.0.1:<targetPort>`.
 *
 * @example
 * ```ts
 * import { startRedis } from "../../tests/helpers/redis.ts";
 * import { createRedisCache } from "./redis.ts";
 * const redis = await startRedis();
 * const proxy = startTcpProxy(redis.port);
 * const cache = await createRedisCache(proxy.url);
 * proxy.cut(); // the cache now sees Redis as gone; Redis keeps its data
 * proxy.resume();
 * await proxy.close();
 * ```
 */
export function startTcpProxy(targetPort: number): TcpProxy {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  let mode: "open" | "cut" | "stalled" = "open";
  let unstall = Promise.withResolvers<void>();
  const conns = new Set<Deno.Conn>();
  const tasks = new Set<Promise<void>>();

  const closeConn = (c: Deno.Conn) => {
    if (!conns.delete(c)) return;
    try {
      c.close();
    } catch { /* already closed */ }
  };

  async function pump(from: Deno.Conn, to: Deno.Conn): Promise<void> {
    const buf = new Uint8Array(16 * 1024);
    try {
      while (true) {
        const n = await from.read(buf);
        if (n === null) break;
        while (mode === "stalled") await unstall.promise;
        if (mode === "cut") break;
        let off = 0;
        while (off < n) off += await to.write(buf.subarray(off, n));
      }
    } catch { /* one side went away */ }
    closeConn(from);
    closeConn(to);
  }

  async function handle(client: Deno.Conn): Promise<void> {
    conns.add(client);
    if (mode === "cut") return closeConn(client);
    let upstream: Deno.Conn;
    try {
      upstream = await Deno.connect({
        hostname: "127.0.0.1",
        port: targetPort,
      });
    } catch {
      return closeConn(client);
    }
    conns.add(upstream);
    await Promise.all([pump(client, upstream), pump(upstream, client)]);
  }

  const track = (p: Promise<void>) => {
    tasks.add(p);
    p.finally(() => tasks.delete(p));
  };

  track((async () => {
    try {
      for await (const c of listener) track(handle(c));
    } catch { /* listener closed */ }
  })());

  return {
    url: `redis://127.0.0.1:${port}`,
    cut() {
      mode = "cut";
      unstall.resolve();
      for (const c of [...conns]) closeConn(c);
    },
    stall() {
      mode = "stalled";
      unstall = Promise.withResolvers<void>();
    },
    resume() {
      mode = "open";
      unstall.resolve();
    },
    async close() {
      mode = "cut";
      unstall.resolve();
      try {
        listener.close();
      } catch { /* closed */ }
      for (const c of [...conns]) closeConn(c);
      while (tasks.size > 0) await Promise.all([...tasks]);
    },
  };
}
