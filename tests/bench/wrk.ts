/**
 * Runs wrk against a URL and reads its figures.
 *
 * @module
 */

/** Figures of one wrk run. */
export interface WrkResult {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  non2xx: number;
  errors: number;
}

/**
 * Makes sure wrk (Debian package) is there, installing it as root.
 *
 * @example
 * ```ts
 * await ensureWrk();
 * ```
 */
export async function ensureWrk(): Promise<void> {
  if (await has("wrk")) return;
  if (Deno.uid?.() !== 0) {
    throw new Error("wrk is missing: run `apt-get install -y wrk` as root");
  }
  console.log("Installing wrk with apt-get ...");
  for (
    const args of [["update"], [
      "install",
      "-y",
      "--no-install-recommends",
      "wrk",
    ]]
  ) {
    const { code } = await new Deno.Command("apt-get", { args, stdout: "null" })
      .output();
    if (code !== 0) throw new Error(`apt-get ${args.join(" ")} failed`);
  }
}

async function has(cmd: string): Promise<boolean> {
  try {
    const { code } = await new Deno.Command("sh", {
      args: ["-c", `command -v ${cmd}`],
      stdout: "null",
    }).output();
    return code === 0;
  } catch {
    return false;
  }
}

/**
 * Loads `url` with wrk for `seconds` and returns its figures.
 *
 * @example
 * ```ts
 * const r = await wrk("http://127.0.0.1:8000/", { seconds: 5, connections: 32 });
 * ```
 */
export async function wrk(
  url: string,
  opts: {
    seconds: number;
    connections: number;
    headers?: Record<string, string>;
    /** A wrk Lua script (method, body, headers of every request). */
    script?: string;
  },
): Promise<WrkResult> {
  const args = [
    "-t1",
    `-c${opts.connections}`,
    `-d${opts.seconds}s`,
    "--latency",
  ];
  for (const [k, v] of Object.entries(opts.headers ?? {})) {
    args.push("-H", `${k}: ${v}`);
  }
  if (opts.script !== undefined) args.push("-s", opts.script);
  args.push(url);
  const out = await new Deno.Command("wrk", {
    args,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout);
  if (out.code !== 0) {
    throw new Error(`wrk failed: ${new TextDecoder().decode(out.stderr)}`);
  }
  const rps = Number(text.match(/Requests\/sec:\s+([\d.]+)/)?.[1] ?? NaN);
  const errors = text.match(
    /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/,
  );
  return {
    requestsPerSecond: rps,
    p50Ms: latency(text, "50%"),
    p99Ms: latency(text, "99%"),
    non2xx: Number(text.match(/Non-2xx or 3xx responses: (\d+)/)?.[1] ?? 0),
    errors: errors ? errors.slice(1).map(Number).reduce((a, b) => a + b, 0) : 0,
  };
}

function latency(text: string, pct: string): number {
  const m = text.match(
    new RegExp(`\\s${pct.replace("%", "%")}\\s+([\\d.]+)(us|ms|s)`),
  );
  if (!m) return NaN;
  const v = Number(m[1]);
  return m[2] === "us" ? v / 1000 : m[2] === "s" ? v * 1000 : v;
}
