/**
 * Run the production build (`_fresh/server.js`) as a real subprocess, by
 * the command of `deno task start`, so HTTP and browser tests see exactly
 * what it serves.
 *
 * @module
 */
import { dirname } from "node:path";
import { TEST_ENCRYPTION_KEY } from "./encryption_key.ts";
import { onFreePort, PortInUseError, saysPortInUse } from "./ports.ts";

/** A running app server. */
export interface TestServer {
  /** `http://127.0.0.1:<port>` without a trailing slash. */
  url: string;
  port: number;
  /** SIGTERM (SIGKILL after 5 s), resolves once the process has exited. */
  stop(): Promise<void>;
  /** Everything the server printed so far (stdout and stderr interleaved). */
  logs(): string;
}

const ROOT = new URL("../..", import.meta.url).pathname;
/** The `start` task of deno.json, run through `sh` as `deno task` would. */
export const START_TASK: string = JSON.parse(
  Deno.readTextFileSync(`${ROOT}/deno.json`),
).tasks.start;
const READY_TIMEOUT_MS = 20_000;
const STOP_TIMEOUT_MS = 5_000;

const live = new Set<Deno.ChildProcess>();
// A failing test that never reaches stop() must not leave a server running
// after the test process is gone.
globalThis.addEventListener("unload", () => {
  for (const c of live) {
    try {
      c.kill("SIGKILL");
    } catch { /* already gone */ }
  }
});

/**
 * Start the built app on a free port and wait until it says it listens
 * there and `GET /api/health` answers (any status counts: the point is
 * that the server is listening). When the port was taken between picking
 * and binding, the start is tried again on another one (`ports.ts`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { startRedis } from "./redis.ts";
 * const redis = await startRedis();
 * const server = await startServer({ env: { REDIS_URL: redis.url } });
 * try {
 *   const res = await fetch(`${server.url}/`);
 *   assert.equal(res.status, 200);
 *   await res.body?.cancel();
 * } finally {
 *   await server.stop();
 *   await redis.stop();
 * }
 * ```
 */
export async function startServer(
  opts: {
    env?: Record<string, string>;
    cwd?: string;
    /**
     * Start the server as a fresh shell would on first run: none of this
     * process's environment and no HOSTNAME, only what Deno itself needs
     * (PATH, HOME, DENO_DIR), PORT (a free one, so parallel runs do not
     * collide) and `env`.
     */
    bareEnv?: boolean;
    /** Where ports come from (default `freePort`; tests of the retry). */
    pick?: () => number;
  } = {},
): Promise<TestServer> {
  const cwd = opts.cwd ?? ROOT;
  const entry = `${cwd.replace(/\/$/, "")}/_fresh/server.js`;
  try {
    Deno.statSync(entry);
  } catch {
    throw new Error(
      `${entry} not found: run \`deno task build\` first ` +
        "(`deno task test` does it for you)",
    );
  }

  return await onFreePort((port) => startOn(port, cwd, entry, opts), {
    pick: opts.pick,
  });
}

/** One try of {@linkcode startServer} on `port`. */
async function startOn(
  port: number,
  cwd: string,
  entry: string,
  opts: { env?: Record<string, string>; bareEnv?: boolean },
): Promise<TestServer> {
  const url = `http://127.0.0.1:${port}`;
  // Exactly what `deno task start` runs (`deno serve` on $HOSTNAME:$PORT),
  // with this deno first on PATH.
  const path = `${dirname(Deno.execPath())}:${Deno.env.get("PATH") ?? ""}`;
  const child = new Deno.Command("sh", {
    args: ["-c", `exec ${START_TASK}`],
    cwd,
    env: opts.bareEnv
      ? { ...denoEnv(), PATH: path, PORT: String(port), ...opts.env }
      : {
        PATH: path,
        PORT: String(port),
        HOSTNAME: "127.0.0.1",
        // Two-factor on; `ENCRYPTION_KEY: ""` for a server without a key.
        ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
        ...opts.env,
      },
    clearEnv: opts.bareEnv === true,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  live.add(child);

  let log = "";
  const drain = async (s: ReadableStream<Uint8Array>) => {
    const d = new TextDecoder();
    for await (const chunk of s) log += d.decode(chunk, { stream: true });
  };
  const drained = Promise.all([drain(child.stdout), drain(child.stderr)]);
  let exitCode: number | undefined;
  child.status.then((s) => {
    exitCode = s.code;
  });

  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    // Idempotent, so tests can stop in the body and again in `finally`.
    stopped ??= (async () => {
      try {
        child.kill("SIGTERM");
      } catch { /* already exited */ }
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timedOut = await Promise.race([
        child.status.then(() => false),
        new Promise<boolean>((r) => {
          timer = setTimeout(() => r(true), STOP_TIMEOUT_MS);
        }),
      ]);
      clearTimeout(timer);
      if (timedOut) {
        child.kill("SIGKILL");
        await child.status;
      }
      await drained;
      live.delete(child);
    })();
    return stopped;
  };

  // `deno serve` says where it bound; until our child has said so for this
  // port, an answer there may come from whoever took the port first.
  const listening = new RegExp(`Listening on \\S+:${port}/`);
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let lastError = "";
  while (Date.now() < deadline && exitCode === undefined) {
    if (listening.test(log)) {
      try {
        const res = await fetch(`${url}/api/health`, {
          signal: AbortSignal.timeout(2_000),
        });
        await res.body?.cancel();
        return { url, port, stop, logs: () => log };
      } catch (e) {
        lastError = e instanceof Error ? e.message : String(e);
      }
    } else {
      lastError = "it has not said it listens";
    }
    await new Promise((r) => setTimeout(r, 100));
  }

  await stop();
  if (exitCode !== undefined && saysPortInUse(log)) {
    throw new PortInUseError(port, log);
  }
  const why = exitCode !== undefined
    ? `exited with code ${exitCode}`
    : `did not answer GET /api/health within ${READY_TIMEOUT_MS} ms (${lastError})`;
  console.error(`--- server logs (${entry}) ---\n${log}\n--- end ---`);
  throw new Error(`server on port ${port} ${why}`);
}

/** The variables Deno needs to find itself and its caches, when set. */
function denoEnv(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of ["PATH", "HOME", "DENO_DIR", "XDG_CACHE_HOME", "TMPDIR"]) {
    const value = Deno.env.get(name);
    if (value !== undefined) out[name] = value;
  }
  return out;
}
