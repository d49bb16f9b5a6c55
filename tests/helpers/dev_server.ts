/**
 * The development server (`deno run -A dev.ts`, what `deno task dev`
 * runs) as a subprocess on a free port, for the tests of what it says at
 * start-up. Like `startServer` (`server.ts`) it tries another port when
 * its port was taken before it could bind (`ports.ts`), and counts it as
 * started only on its own words for that port.
 *
 * @module
 */
import { dirname } from "node:path";
import { onFreePort, PortInUseError, saysPortInUse } from "./ports.ts";

const ROOT = new URL("../..", import.meta.url).pathname;
/** A server that never says it listens fails the test instead of hanging it. */
const START_TIMEOUT_MS = 90_000;

/** A development server that said it listens. */
export interface DevServer {
  port: number;
  /** Its standard output so far (at least up to the line `until` matched). */
  out: string;
  /**
   * SIGKILL (not SIGTERM: main.ts listens for it to close the services,
   * which leaves a development server running), then waits for the exit.
   */
  stop(): Promise<void>;
}

/**
 * Starts the development server with `env` (PORT and HOSTNAME set here)
 * and reads its output until it has said it listens and `until` matches
 * (default: the listening line). `beforeRetry` runs before a start on
 * another port, to undo what the failed start left (a generated key).
 *
 * @example
 * ```ts
 * const dir = await Deno.makeTempDir();
 * const dev = await startDevServer({
 *   env: { DATABASE_PATH: `${dir}/dev.db`, MAIL_OUTBOX_DIR: `${dir}/outbox` },
 * });
 * try {
 *   console.log(dev.out);
 * } finally {
 *   await dev.stop();
 * }
 * ```
 */
export function startDevServer(opts: {
  env: Record<string, string>;
  until?: RegExp;
  beforeRetry?: () => Promise<void>;
  /** Where ports come from (default `freePort`; tests of the retry). */
  pick?: () => number;
}): Promise<DevServer> {
  let attempt = 0;
  return onFreePort(async (port) => {
    if (attempt++ > 0) await opts.beforeRetry?.();
    return await startOn(port, opts.env, opts.until);
  }, { pick: opts.pick });
}

async function startOn(
  port: number,
  env: Record<string, string>,
  until: RegExp | undefined,
): Promise<DevServer> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "dev.ts"],
    cwd: ROOT,
    env: {
      PATH: `${dirname(Deno.execPath())}:${Deno.env.get("PATH") ?? ""}`,
      NO_COLOR: "1",
      ...env,
      PORT: String(port),
      HOSTNAME: "127.0.0.1",
    },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const stderr = new Response(child.stderr).text();
  const timer = setTimeout(() => child.kill("SIGKILL"), START_TIMEOUT_MS);
  let stopped: Promise<void> | undefined;
  const stop = () =>
    stopped ??= (async () => {
      clearTimeout(timer);
      try {
        child.kill("SIGKILL");
      } catch { /* already gone */ }
      await child.status;
      await child.stdout.cancel().catch(() => {});
      await stderr.catch(() => "");
    })();

  const listening = new RegExp(
    `^Listening on http://127\\.0\\.0\\.1:${port}/$`,
    "m",
  );
  let out = "";
  const decoder = new TextDecoder();
  const reader = child.stdout.getReader();
  try {
    while (!listening.test(out) || !(until ?? listening).test(out)) {
      const { value, done } = await reader.read();
      if (done) {
        const err = await stderr.catch(() => "");
        if (saysPortInUse(err)) throw new PortInUseError(port, err);
        throw new Error(`dev server exited:\n${out}\n${err}`);
      }
      out += decoder.decode(value, { stream: true });
    }
  } catch (e) {
    reader.releaseLock();
    await stop();
    throw e;
  }
  reader.releaseLock();
  return { port, out, stop };
}
