/**
 * Ports for the servers tests start as child processes (the built app,
 * redis-server, the development server).
 *
 * A child cannot be handed a listening socket, so a port is picked by
 * binding port 0 and closing it, and the child binds it a moment later.
 * In between another process may take it: with `--parallel` workers and
 * several test runs on one machine that happened (AddrInUse). Decision:
 * the start is retried on a new port when the child says the address is
 * in use, a bounded number of times ({@linkcode PORT_ATTEMPTS}), instead
 * of trying to reserve the port (nothing the child could inherit).
 *
 * Whoever took the port may answer there (another test's server or
 * Redis), so a starter must not take "something answers" for "my child
 * is listening": each one waits for its own child's words that it bound
 * the port (see `server.ts`, `redis.ts`).
 *
 * @module
 */

/** How many ports a start tries before giving up. */
export const PORT_ATTEMPTS = 5;

/**
 * A TCP port on 127.0.0.1 that was free a moment ago.
 *
 * @example
 * ```ts
 * const port = freePort();
 * Deno.serve({ port, hostname: "127.0.0.1" }, () => new Response("hi"));
 * ```
 */
export function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

/** A child could not bind its port: someone else holds it. */
export class PortInUseError extends Error {
  constructor(readonly port: number, readonly output: string) {
    super(`port ${port} was taken before the server could bind it`);
    this.name = "PortInUseError";
  }
}

/**
 * Whether a child's output says its port was taken: Deno's
 * `AddrInUse`, redis-server's and PostgreSQL's "Address already in use".
 *
 * @example
 * ```ts
 * saysPortInUse("error: Uncaught (in promise) AddrInUse: Address already in use (os error 98)"); // true
 * ```
 */
export function saysPortInUse(output: string): boolean {
  return /AddrInUse|address already in use/i.test(output);
}

/**
 * Runs `start` on a port from `pick` (default {@linkcode freePort}), again
 * on a new one each time it throws {@linkcode PortInUseError}, at most
 * `attempts` times; any other error, or the last attempt's, is thrown.
 *
 * @example
 * ```ts
 * const server = await onFreePort(async (port) => {
 *   try {
 *     return Deno.serve({ port, hostname: "127.0.0.1" }, () => new Response("hi"));
 *   } catch (e) {
 *     if (e instanceof Deno.errors.AddrInUse) throw new PortInUseError(port, String(e));
 *     throw e;
 *   }
 * });
 * await server.shutdown();
 * ```
 */
export async function onFreePort<T>(
  start: (port: number) => Promise<T>,
  opts: { pick?: () => number; attempts?: number } = {},
): Promise<T> {
  const pick = opts.pick ?? freePort;
  const attempts = opts.attempts ?? PORT_ATTEMPTS;
  const taken: number[] = [];
  for (;;) {
    const port = pick();
    try {
      return await start(port);
    } catch (e) {
      if (!(e instanceof PortInUseError)) throw e;
      taken.push(port);
      if (taken.length >= attempts) {
        throw new Error(
          `no port could be bound in ${attempts} attempts (taken: ${
            taken.join(", ")
          }):\n${e.output}`,
        );
      }
    }
  }
}
