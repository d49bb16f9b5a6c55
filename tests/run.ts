/**
 * Test entry point behind `deno task test`.
 *
 * It has to work on a fresh Debian machine that only has node/npm (deno is
 * launched through `npx`), so it installs the system packages the browser and
 * Redis tests need (waiting up to five minutes for another apt/dpkg process,
 * such as unattended-upgrades, to release the package lock), builds the app,
 * provides a PostgreSQL server (`PG_TEST_URL`, else the local one at 5432,
 * else a private cluster it starts and removes; see `postgres_server.ts`) to
 * the tests as `ISLET_TEST_PG_URL`, runs `deno test`, drops the test
 * databases the tests recorded and left, and always ends with a plain
 * `N passed, N failed` line that CI reads.
 *
 * Usage:
 *
 * ```sh
 * npx -y deno@2.9.6 task test              # everything
 * npx -y deno@2.9.6 task test lib/fresh    # narrow: extra args go to `deno test`
 * DENO_TEST_ARGS="--filter redis" npx -y deno@2.9.6 task test
 * ISLET_SKIP_BUILD=1 npx -y deno@2.9.6 task test lib/   # skip the build step
 * PG_TEST_URL=postgres://u:p@host/db npx -y deno@2.9.6 task test  # another PostgreSQL
 * ```
 *
 * @module
 */

import { installPackages } from "./apt.ts";
import {
  type ProvidedPostgres,
  providePostgres,
  stopOnSignals,
} from "./postgres_server.ts";

const CHROMIUM = "/usr/bin/chromium";
const DEJAVU_DIR = "/usr/share/fonts/truetype/dejavu";
const ROOT = new URL("..", import.meta.url).pathname;

/** Counts read off the final summary line of `deno test`. */
export interface TestSummary {
  ok: boolean;
  passed: number;
  failed: number;
  ignored: number;
  passedSteps: number;
  failedSteps: number;
  filteredOut: number;
}

// deno colours its output even when piped, so summaries are parsed colourless.
// deno-lint-ignore no-control-regex
const ANSI = /\x1b\[[0-9;]*[A-Za-z]/g;

/**
 * Parse the last `ok | … passed … | … failed …` summary in `deno test` output.
 * Returns `null` when there is none (type-check error, no test modules, …).
 *
 * @example
 * ```ts
 * parseSummary("FAILED | 3 passed (2 steps) | 1 failed | 1 ignored (5ms)");
 * // => { ok: false, passed: 3, failed: 1, ignored: 1, passedSteps: 2, ... }
 * ```
 */
export function parseSummary(output: string): TestSummary | null {
  const lines = output.replace(ANSI, "").split(/\r?\n/);
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i].trim();
    const m = line.match(
      /^(ok|FAILED) \| (\d+) passed(?: \((\d+) steps?\))? \| (\d+) failed(?: \((\d+) steps?\))?(.*)$/,
    );
    if (!m) continue;
    const rest = m[6];
    const num = (re: RegExp) => Number(rest.match(re)?.[1] ?? 0);
    return {
      ok: m[1] === "ok",
      passed: Number(m[2]),
      passedSteps: Number(m[3] ?? 0),
      failed: Number(m[4]),
      failedSteps: Number(m[5] ?? 0),
      ignored: num(/\| (\d+) ignored/),
      filteredOut: num(/\| (\d+) filtered out/),
    };
  }
  return null;
}

function exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}

function onPath(cmd: string): boolean {
  const dirs = (Deno.env.get("PATH") ?? "").split(":").filter(Boolean);
  // Debian puts redis-server in /usr/bin, but sbin dirs are often missing
  // from PATH for non-login shells, so look there too.
  dirs.push("/usr/sbin", "/usr/bin", "/sbin", "/bin");
  return dirs.some((d) => exists(`${d}/${cmd}`));
}

function isRoot(): boolean {
  try {
    return Deno.uid() === 0;
  } catch {
    return false;
  }
}

async function sh(cmd: string, args: string[], env?: Record<string, string>) {
  console.log(`$ ${[cmd, ...args].join(" ")}`);
  const { code } = await new Deno.Command(cmd, {
    args,
    env,
    stdin: "null",
    stdout: "inherit",
    stderr: "inherit",
  }).output();
  if (code !== 0) {
    throw new Error(`${cmd} ${args.join(" ")} exited with code ${code}`);
  }
}

/** Install the Debian packages the tests need, only those that are missing. */
async function ensurePrerequisites(): Promise<void> {
  const missing: string[] = [];
  const why: string[] = [];
  if (!exists(CHROMIUM)) {
    missing.push("chromium");
    why.push(`${CHROMIUM} not found (browser tests)`);
  }
  // Without any font, Chromium renders text with zero-width boxes and layout
  // assertions become meaningless.
  if (!exists(DEJAVU_DIR)) {
    missing.push("fonts-dejavu-core");
    why.push(`${DEJAVU_DIR} not found (fonts for Chromium)`);
  }
  if (!Deno.env.get("REDIS_URL") && !onPath("redis-server")) {
    missing.push("redis-server");
    why.push("redis-server not on PATH and REDIS_URL not set (Redis tests)");
  }
  if (missing.length === 0) {
    console.log("prerequisites: chromium, fonts and redis-server present");
    return;
  }
  for (const w of why) console.log(`prerequisites: ${w}`);
  if (!isRoot()) {
    throw new Error(
      `missing prerequisites and not running as root; install them with:\n` +
        `  sudo apt-get update && sudo apt-get install -y --no-install-recommends ${
          missing.join(" ")
        }`,
    );
  }
  console.log(`prerequisites: installing ${missing.join(" ")} with apt-get`);
  // Waits (bounded) for unattended-upgrades and the like to free the locks.
  await installPackages(missing);
}

/** Production build into `_fresh/`, which the HTTP and browser tests serve. */
async function build(): Promise<void> {
  if (Deno.env.get("ISLET_SKIP_BUILD")) {
    console.log("build: skipped (ISLET_SKIP_BUILD is set)");
    return;
  }
  if (!exists(`${ROOT}dev.ts`)) {
    console.log("build: skipped, dev.ts does not exist yet");
    return;
  }
  // deno is not on PATH when launched via npx, hence execPath.
  await sh(Deno.execPath(), ["task", "build"]);
}

async function pump(
  stream: ReadableStream<Uint8Array>,
  out: { write(p: Uint8Array): Promise<number> },
  sink: string[],
): Promise<void> {
  const decoder = new TextDecoder();
  for await (const chunk of stream) {
    let off = 0;
    while (off < chunk.length) off += await out.write(chunk.subarray(off));
    sink.push(decoder.decode(chunk, { stream: true }));
  }
  sink.push(decoder.decode());
}

/** Run `deno test`, echoing its output live while keeping a copy to parse. */
async function runTests(
  extra: string[],
  pgEnv: Record<string, string>,
  onSpawn: (child: Deno.ChildProcess) => void,
): Promise<{ code: number; output: string }> {
  const args = ["test", "-A", ...extra];
  console.log(`$ deno ${args.join(" ")}`);
  const env: Record<string, string> = { ...pgEnv };
  // Plain text keeps CI logs readable; keep colour on a real terminal.
  if (!Deno.stdout.isTerminal()) env.NO_COLOR = "1";
  const child = new Deno.Command(Deno.execPath(), {
    args,
    cwd: ROOT,
    env,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  onSpawn(child);
  const out: string[] = [];
  const err: string[] = [];
  const [status] = await Promise.all([
    child.status,
    pump(child.stdout, Deno.stdout, out),
    pump(child.stderr, Deno.stderr, err),
  ]);
  return { code: status.code, output: out.join("") + "\n" + err.join("") };
}

async function main(): Promise<number> {
  const extra = [
    ...(Deno.env.get("DENO_TEST_ARGS") ?? "").split(/\s+/).filter(Boolean),
    ...Deno.args,
  ];
  let pg: ProvidedPostgres;
  let child: Deno.ChildProcess | undefined;
  let release = () => {};
  try {
    await ensurePrerequisites();
    await build();
    // An interrupted run must leave no private cluster (nor tests) behind,
    // also when the signal comes while the cluster is starting.
    release = stopOnSignals((signal) => {
      console.log(`\n${signal}: stopping`);
      try {
        child?.kill(signal);
      } catch { /* already exited */ }
    });
    pg = await providePostgres();
  } catch (e) {
    release();
    console.error(`\nerror: ${e instanceof Error ? e.message : e}`);
    // CI reads the last line; a setup failure must not look like a clean run.
    console.log("0 passed, 1 failed");
    return 1;
  }

  let code: number, output: string;
  try {
    ({ code, output } = await runTests(extra, pg.env, (c) => child = c));
  } finally {
    release();
    await pg.stop();
  }
  const s = parseSummary(output);
  console.log("");
  let passed = s?.passed ?? 0;
  let failed = s?.failed ?? 0;
  if (s) {
    console.log(
      `deno test: ${s.passed} tests ok (${s.passedSteps} steps), ` +
        `${s.failed} failing (${s.failedSteps} steps), ${s.ignored} ignored` +
        (s.filteredOut ? `, ${s.filteredOut} filtered out` : ""),
    );
  } else {
    console.log("deno test: no summary line found (nothing ran)");
  }
  if (code !== 0 && failed === 0) {
    // e.g. a type-check error or leaked resources after the summary: count the
    // run itself as one failure so the closing line never claims success.
    console.log(`deno test exited with code ${code}; counting it as 1 failure`);
    failed = 1;
  }
  if (passed + failed === 0) {
    console.log("no tests ran; treating that as a failure");
    failed = 1;
    passed = 0;
  }
  console.log(`${passed} passed, ${failed} failed`);
  return failed > 0 || code !== 0 ? 1 : 0;
}

if (import.meta.main) {
  Deno.exit(await main());
}
