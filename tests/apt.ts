/**
 * Installs Debian packages for `deno task test`, waiting (bounded) for any
 * other apt/dpkg process to let go of the package locks.
 *
 * On a fresh machine unattended-upgrades often holds the dpkg lock for the
 * first minutes, and plain `apt-get` fails at once. `apt-get install` can
 * wait by itself (`-o DPkg::Lock::Timeout=N`), but `apt-get update` ignores
 * that option for its lists lock (checked with apt 2.6 on Debian 12), so each
 * step is also retried here while apt reports a held lock, up to one shared
 * deadline.
 *
 * @module
 */

/** How long to wait for another package manager before giving up. */
export const APT_LOCK_TIMEOUT_MS = 5 * 60_000;

/** How often to say that we are still waiting. */
export const APT_LOCK_NOTICE_MS = 15_000;

// apt's own words when a lock is held: "E: Could not get lock <file>. It is
// held by process N (name)", "E: Unable to lock directory <dir>", "E: Unable
// to acquire the dpkg frontend lock (<file>), is another process using it?".
const LOCK_ERROR =
  /Could not get lock|Unable to lock (?:the )?(?:directory|administration)|Unable to acquire the dpkg (?:frontend )?lock/;
// Printed (once a second) while DPkg::Lock::Timeout makes apt wait itself.
const LOCK_WAITING = /^Waiting for cache lock/;
const HOLDER = /held by process (\d+)(?: \(([^)]*)\))?/;

/** What one run of apt-get said about the locks. */
export interface AptAttempt {
  /** Exit code of apt-get. */
  code: number;
  /** True when it failed because another process held a lock. */
  lockBusy: boolean;
  /** Who held it, as apt named it, e.g. `process 812 (unattended-upgr)`. */
  holder?: string;
}

/** Knobs for {@linkcode installPackages}; the defaults suit a real machine. */
export interface AptOptions {
  /** The apt-get binary (tests point this at a stand-in). */
  aptGet?: string;
  /** Overall bound on waiting for locks. */
  timeoutMs?: number;
  /** Pause between attempts while a lock is held. */
  pollMs?: number;
  /** Minimum gap between "still waiting" messages. */
  noticeMs?: number;
  /** Where progress and waiting messages go. */
  log?: (line: string) => void;
}

/**
 * Who holds the lock, read off an apt error or waiting line.
 *
 * @example
 * ```ts
 * lockHolder("E: Could not get lock /var/lib/dpkg/lock-frontend. It is held by process 812 (unattended-upgr)");
 * // => "process 812 (unattended-upgr)"
 * ```
 */
export function lockHolder(line: string): string | undefined {
  const m = line.match(HOLDER);
  if (!m) return undefined;
  return m[2] ? `process ${m[1]} (${m[2]})` : `process ${m[1]}`;
}

/**
 * The apt-get argument list for one step: apt waits up to `waitMs` itself
 * for the dpkg lock (rounded up to whole seconds, as apt counts).
 *
 * @example
 * ```ts
 * aptGetArgs(["install", "-y", "redis-server"], 300_000);
 * // => ["-o", "DPkg::Lock::Timeout=300", "install", "-y", "redis-server"]
 * ```
 */
export function aptGetArgs(args: string[], waitMs: number): string[] {
  const seconds = Math.max(0, Math.ceil(waitMs / 1000));
  return ["-o", `DPkg::Lock::Timeout=${seconds}`, ...args];
}

/**
 * Tells, at most every `everyMs`, that a lock is still held and by whom.
 *
 * @example
 * ```ts
 * const notices = lockNotices(console.log, 15_000, 300_000);
 * notices.seen("process 812 (unattended-upgr)"); // prints the first notice
 * ```
 */
export function lockNotices(
  log: (line: string) => void,
  everyMs: number,
  timeoutMs: number,
  now: () => number = Date.now,
): { seen(holder?: string): void; holder(): string | undefined } {
  const start = now();
  let last = -Infinity;
  let who: string | undefined;
  return {
    seen(holder) {
      if (holder) who = holder;
      const t = now();
      if (t - last < everyMs) return;
      last = t;
      const waited = Math.round((t - start) / 1000);
      log(
        `apt: ${who ?? "another apt/dpkg process"} holds the package lock; ` +
          `waited ${waited} s, giving up after ${
            Math.round(timeoutMs / 1000)
          } s`,
      );
    },
    holder: () => who,
  };
}

async function echoLines(
  stream: ReadableStream<Uint8Array>,
  out: { writeSync(p: Uint8Array): number },
  onLine: (line: string) => boolean,
): Promise<void> {
  const encoder = new TextEncoder();
  let pending = "";
  const emit = (line: string) => {
    if (onLine(line)) out.writeSync(encoder.encode(line + "\n"));
  };
  const decoder = new TextDecoder();
  for await (const chunk of stream) {
    pending += decoder.decode(chunk, { stream: true });
    const lines = pending.split("\n");
    pending = lines.pop() ?? "";
    for (const line of lines) emit(line);
  }
  pending += decoder.decode();
  if (pending) emit(pending);
}

/**
 * Runs apt-get once, echoing its output except the lock lines, which go to
 * `onLock` so that waiting is reported in one place.
 *
 * @example
 * ```ts
 * const r = await runAptGet("apt-get", ["update"], { DEBIAN_FRONTEND: "noninteractive" }, () => {});
 * if (r.lockBusy) console.log(`held by ${r.holder}`);
 * ```
 */
export async function runAptGet(
  aptGet: string,
  args: string[],
  env: Record<string, string>,
  onLock: (holder?: string) => void,
): Promise<AptAttempt> {
  const child = new Deno.Command(aptGet, {
    args,
    env,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let lockBusy = false;
  let holder: string | undefined;
  const filter = (line: string) => {
    const error = LOCK_ERROR.test(line);
    if (!error && !LOCK_WAITING.test(line)) return true;
    lockBusy ||= error;
    holder = lockHolder(line) ?? holder;
    onLock(holder);
    return false;
  };
  const [status] = await Promise.all([
    child.status,
    echoLines(child.stdout, Deno.stdout, filter),
    echoLines(child.stderr, Deno.stderr, filter),
  ]);
  return { code: status.code, lockBusy: status.code !== 0 && lockBusy, holder };
}

/**
 * `apt-get update` then `apt-get install` of `packages`, each waiting for
 * the package locks until one shared deadline, then failing with a message
 * that says who holds the lock and what to do.
 *
 * @example
 * ```ts
 * await installPackages(["redis-server"]);
 * ```
 */
export async function installPackages(
  packages: string[],
  options: AptOptions = {},
): Promise<void> {
  const aptGet = options.aptGet ?? "apt-get";
  const timeoutMs = options.timeoutMs ?? APT_LOCK_TIMEOUT_MS;
  const pollMs = options.pollMs ?? 2_000;
  const log = options.log ?? console.log;
  const deadline = Date.now() + timeoutMs;
  const notices = lockNotices(
    log,
    options.noticeMs ?? APT_LOCK_NOTICE_MS,
    timeoutMs,
  );
  const env = { DEBIAN_FRONTEND: "noninteractive" };

  const step = async (args: string[]) => {
    for (let attempt = 0;; attempt++) {
      const full = aptGetArgs(args, deadline - Date.now());
      if (attempt === 0) log(`$ ${aptGet} ${full.join(" ")}`);
      const r = await runAptGet(aptGet, full, env, notices.seen);
      if (r.code === 0) return;
      if (!r.lockBusy) {
        throw new Error(
          `${aptGet} ${args.join(" ")} exited with code ${r.code}`,
        );
      }
      const left = deadline - Date.now();
      if (left <= 0) {
        const who = r.holder ?? notices.holder() ?? "another apt/dpkg process";
        throw new Error(
          `${aptGet} ${args.join(" ")}: ${who} still holds the package lock ` +
            `after ${Math.round(timeoutMs / 1000)} s. Let it finish (on a ` +
            `fresh machine it is usually unattended-upgrades; see ` +
            `\`ps -p <pid> -o args\`), then run the tests again.`,
        );
      }
      notices.seen(r.holder);
      await new Promise((done) => setTimeout(done, Math.min(pollMs, left)));
    }
  };

  await step(["update"]);
  await step(["install", "-y", "--no-install-recommends", ...packages]);
}
