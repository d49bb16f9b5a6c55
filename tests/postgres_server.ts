/**
 * The PostgreSQL server `deno task test` hands to the tests.
 *
 * The runner first tries the server the caller names in `PG_TEST_URL`, or
 * else the usual local one at `postgres://postgres@127.0.0.1:5432/postgres`,
 * with a real connection. If that one is not usable it starts a private
 * cluster of its own (installing Debian's `postgresql` package when `initdb`
 * and `pg_ctl` are missing): `initdb` into a temporary folder with trust
 * authentication, `pg_ctl start` on a free port of 127.0.0.1 only, the Unix
 * socket inside that folder, and everything removed again at the end. Tests
 * reach whichever server it is through `ISLET_TEST_PG_URL`
 * (see `tests/helpers/postgres.ts`).
 *
 * @module
 */

import postgres from "postgres";
import { installPackages } from "./apt.ts";
import { freePort } from "./helpers/redis.ts";
import { PG_MADE_ENV, recordedTestPgDatabases } from "./helpers/pg_made.ts";

/** The server tried when `PG_TEST_URL` is not set. */
export const DEFAULT_PG_URL = "postgres://postgres@127.0.0.1:5432/postgres";

/** A PostgreSQL server the tests may use, and how to let go of it. */
export interface ProvidedPostgres {
  /** Admin URL (a role that may create databases), exported to the tests. */
  url: string;
  /** True when the runner started this server itself. */
  own: boolean;
  /** The private cluster's folder, when `own`. */
  dir?: string;
  /**
   * For the test process: `ISLET_TEST_PG_URL`, and on an outside server
   * `ISLET_TEST_PG_MADE` (see `tests/helpers/pg_made.ts`).
   */
  env: Record<string, string>;
  /**
   * Stops and removes a private cluster; on an outside one, drops the test
   * databases this run recorded and left. Never throws; safe to call twice.
   */
  stop(): Promise<void>;
}

/** A private cluster started by {@linkcode startPgCluster}. */
export interface PgCluster {
  /** `postgres://postgres@127.0.0.1:<port>/postgres` */
  url: string;
  port: number;
  /** Temporary folder holding the data directory, the socket and the log. */
  dir: string;
  /** Stops the server and removes `dir`; safe to call more than once. */
  stop(): Promise<void>;
}

const CONNECT_TIMEOUT_S = 3;
const PG_CTL_TIMEOUT_S = 30;
const START_ATTEMPTS = 3;

// What stopOnSignals must undo: every cluster this process started and has
// not stopped (a signal may come while one is still starting), and the
// recorded test databases on an outside server.
const cleanups = new Set<() => Promise<void>>();

/**
 * The URL with any password masked, for log lines.
 *
 * @example
 * ```ts
 * redactUrl("postgres://app:s3cret@db:5432/app"); // => "postgres://app:***@db:5432/app"
 * ```
 */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.href;
  } catch {
    return "(unparsable URL)";
  }
}

/**
 * Whether `url` names a PostgreSQL server the tests can use: it answers
 * `SELECT 1` over a real connection and its role may create databases
 * (every test database is created and dropped through it). Never throws.
 *
 * @example
 * ```ts
 * const r = await probePostgres("postgres://postgres@127.0.0.1:5432/postgres");
 * if (!r.ok) console.log(r.reason);
 * ```
 */
export async function probePostgres(
  url: string,
): Promise<{ ok: true } | { ok: false; reason: string }> {
  let sql: ReturnType<typeof postgres> | undefined;
  try {
    sql = postgres(url, {
      max: 1,
      connect_timeout: CONNECT_TIMEOUT_S,
      onnotice: () => {},
    });
    const [row] = await sql<{ one: number; creates: boolean | null }[]>`
      select 1 as one,
        (select rolsuper or rolcreatedb from pg_roles
          where rolname = current_user) as creates`;
    if (row?.one !== 1) {
      return { ok: false, reason: "SELECT 1 did not answer 1" };
    }
    if (!row.creates) {
      return { ok: false, reason: "its role may not create databases" };
    }
    return { ok: true };
  } catch (e) {
    return { ok: false, reason: e instanceof Error ? e.message : String(e) };
  } finally {
    await sql?.end({ timeout: 1 }).catch(() => {});
  }
}

function isFile(path: string): boolean {
  try {
    return Deno.statSync(path).isFile;
  } catch {
    return false;
  }
}

function versionDirs(libDir: string): string[] {
  let names: string[];
  try {
    names = [...Deno.readDirSync(libDir)].filter((e) => e.isDirectory).map(
      (e) => e.name,
    );
  } catch {
    return [];
  }
  return names.filter((n) => /^\d+(\.\d+)?$/.test(n))
    .sort((a, b) => Number(b) - Number(a))
    .map((n) => `${libDir}/${n}/bin`);
}

/**
 * The folder holding both `initdb` and `pg_ctl`: the first on `PATH`, else
 * the newest `/usr/lib/postgresql/<version>/bin` (where Debian keeps them,
 * off `PATH`). Undefined when there is none.
 *
 * @example
 * ```ts
 * const bin = findPgBinDir(); // e.g. "/usr/lib/postgresql/15/bin"
 * ```
 */
export function findPgBinDir(
  options: { path?: string; libDir?: string } = {},
): string | undefined {
  const path = options.path ?? Deno.env.get("PATH") ?? "";
  const candidates = [
    ...path.split(":").filter(Boolean),
    ...versionDirs(options.libDir ?? "/usr/lib/postgresql"),
  ];
  return candidates.find((d) => isFile(`${d}/initdb`) && isFile(`${d}/pg_ctl`));
}

function isRoot(): boolean {
  try {
    return Deno.uid() === 0;
  } catch {
    return false;
  }
}

/** uid and gid of a local account, via NSS (`getent passwd`). */
async function account(
  name: string,
): Promise<{ name: string; uid: number; gid: number } | undefined> {
  try {
    const { code, stdout } = await new Deno.Command("getent", {
      args: ["passwd", name],
      stdout: "piped",
      stderr: "null",
    }).output();
    if (code !== 0) return undefined;
    const f = new TextDecoder().decode(stdout).trim().split(":");
    return { name, uid: Number(f[2]), gid: Number(f[3]) };
  } catch {
    return undefined;
  }
}

/**
 * The account a root runner starts the cluster as: PostgreSQL refuses to run
 * as root. `postgres` (created by Debian's packages) when it exists, else
 * `nobody`, so that the runner never has to add an account to the machine.
 */
async function clusterAccount(): Promise<
  { name: string; uid: number; gid: number }
> {
  const found = (await account("postgres")) ?? (await account("nobody"));
  if (!found) {
    throw new Error(
      "running as root, but neither a `postgres` nor a `nobody` account " +
        "exists to run PostgreSQL as",
    );
  }
  return found;
}

/**
 * The command a starting cluster is running (initdb, pg_ctl) and whether it
 * is being stopped: a stop half-way through a start ends that command and
 * lets no further one begin, or it could write into the folder again after
 * its removal.
 */
interface Steps {
  busy?: Deno.ChildProcess;
  stopped: boolean;
}

interface RunResult {
  code: number;
  output: string;
}

async function run(
  cmd: string,
  args: string[],
  as: { uid: number; gid: number } | undefined,
  cwd: string,
  steps?: Steps,
): Promise<RunResult> {
  if (steps?.stopped) throw new Error("the cluster is being stopped");
  // setpriv (util-linux) switches ids without PAM, which a container may lack.
  const [bin, argv] = as
    ? [
      "setpriv",
      [
        `--reuid=${as.uid}`,
        `--regid=${as.gid}`,
        "--clear-groups",
        "--",
        cmd,
        ...args,
      ],
    ]
    : [cmd, args];
  const child = new Deno.Command(bin, {
    args: argv,
    cwd,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    // Keep the caller's locale and PG* settings out of the cluster.
    clearEnv: true,
    env: { PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin", LC_ALL: "C.UTF-8" },
  }).spawn();
  if (steps) steps.busy = child;
  const { code, stdout, stderr } = await child.output().finally(() => {
    if (steps?.busy === child) steps.busy = undefined;
  });
  const d = new TextDecoder();
  return { code, output: d.decode(stdout) + d.decode(stderr) };
}

async function readTail(path: string, lines = 20): Promise<string> {
  try {
    return (await Deno.readTextFile(path)).trimEnd().split("\n").slice(-lines)
      .join("\n");
  } catch {
    return "(no log)";
  }
}

/**
 * Starts a private PostgreSQL cluster: `initdb` (trust authentication,
 * superuser `postgres`) into a new temporary folder, then `pg_ctl start`
 * listening on a free port of 127.0.0.1 only, with its Unix socket in that
 * folder. Run as root, it runs the server as the `postgres` account (or
 * `nobody`). `stop()` shuts it down and removes the folder.
 *
 * @example
 * ```ts
 * const cluster = await startPgCluster();
 * try {
 *   // ... connect to cluster.url ...
 * } finally {
 *   await cluster.stop();
 * }
 * ```
 */
export async function startPgCluster(
  options: { binDir?: string } = {},
): Promise<PgCluster> {
  const binDir = options.binDir ?? findPgBinDir();
  if (!binDir) {
    throw new Error(
      "initdb and pg_ctl not found on PATH nor under /usr/lib/postgresql",
    );
  }
  const dir = await Deno.makeTempDir({ prefix: "islet-pg-" });
  const data = `${dir}/data`;
  const log = `${dir}/postgres.log`;
  let as: { uid: number; gid: number } | undefined;
  const steps: Steps = { stopped: false };

  const pgCtl = (args: string[], s?: Steps) =>
    run(`${binDir}/pg_ctl`, ["-D", data, ...args], as, dir, s);

  let stopping: Promise<void> | undefined;
  const stop = () =>
    stopping ??= (async () => {
      steps.stopped = true;
      const step = steps.busy;
      if (step) {
        try {
          step.kill("SIGTERM");
        } catch { /* just exited */ }
        await step.status;
      }
      if (postmasterPid(data) !== undefined) {
        const r = await pgCtl([
          "-m",
          "fast",
          "-w",
          "-t",
          String(PG_CTL_TIMEOUT_S),
          "stop",
        ]);
        if (r.code !== 0) killPostmaster(data);
      }
      await Deno.remove(dir, { recursive: true }).catch(() => {});
      cleanups.delete(stop);
    })();
  cleanups.add(stop);

  try {
    if (isRoot()) {
      as = await clusterAccount();
      await Deno.chown(dir, as.uid, as.gid);
    }
    const init = await run(
      `${binDir}/initdb`,
      [
        "-D",
        data,
        "-U",
        "postgres",
        "--auth=trust",
        "--encoding=UTF8",
        "--locale=C.UTF-8",
        // A throwaway cluster: nothing here must survive a crash.
        "--no-sync",
      ],
      as,
      dir,
      steps,
    );
    if (init.code !== 0) {
      throw new Error(`initdb exited with code ${init.code}:\n${init.output}`);
    }
    // Appended by root keeps the file's owner; the later lines win.
    await Deno.writeTextFile(
      `${data}/postgresql.conf`,
      [
        "",
        "# islet test runner",
        "listen_addresses = '127.0.0.1'",
        `unix_socket_directories = '${dir}'`,
        "fsync = off",
        "synchronous_commit = off",
        "full_page_writes = off",
        "",
      ].join("\n"),
      { append: true },
    );

    // The port was free a moment ago; another process may take it first.
    for (let attempt = 1;; attempt++) {
      const port = freePort();
      const r = await pgCtl([
        "-l",
        log,
        "-o",
        `-p ${port}`,
        "-w",
        "-t",
        String(PG_CTL_TIMEOUT_S),
        "start",
      ], steps);
      if (r.code === 0) {
        const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
        const probe = await probePostgres(url);
        if (!probe.ok) {
          throw new Error(`started, but not usable: ${probe.reason}`);
        }
        if (steps.stopped) throw new Error("the cluster was stopped");
        return { url, port, dir, stop };
      }
      // pg_ctl may time out with the server still coming up: stop it before
      // trying again or giving up, so nothing outlives the folder.
      killPostmaster(data);
      const tail = await readTail(log);
      if (attempt < START_ATTEMPTS && /already in use/i.test(tail)) continue;
      throw new Error(
        `pg_ctl start exited with code ${r.code}:\n${r.output}\n${tail}`,
      );
    }
  } catch (e) {
    await stop();
    throw e;
  }
}

/** The server's pid from its lock file, if it has written one. */
function postmasterPid(data: string): number | undefined {
  try {
    const pid = Number(
      Deno.readTextFileSync(`${data}/postmaster.pid`).split("\n")[0],
    );
    return Number.isInteger(pid) && pid > 1 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Last resort when `pg_ctl` cannot stop it: SIGKILL the server. */
function killPostmaster(data: string): void {
  const pid = postmasterPid(data);
  if (pid === undefined) return;
  try {
    Deno.kill(pid, "SIGKILL");
  } catch { /* already gone */ }
}

/** Knobs for {@linkcode providePostgres}; the defaults suit a real machine. */
export interface ProvideOptions {
  /** The server to try first (default `PG_TEST_URL`, else the local one). */
  url?: string;
  /** Where to look for `initdb`/`pg_ctl` (see {@linkcode findPgBinDir}). */
  search?: { path?: string; libDir?: string };
  /** Installs Debian packages (default {@linkcode installPackages}). */
  install?: (packages: string[]) => Promise<void>;
  /** Whether apt may be used (default: running as root). */
  root?: boolean;
  log?: (line: string) => void;
}

/**
 * A PostgreSQL server for the tests: the one in `PG_TEST_URL` (or the local
 * default) when usable, else a private cluster, installing Debian's
 * `postgresql` first when `initdb`/`pg_ctl` are missing.
 *
 * @example
 * ```ts
 * const pg = await providePostgres();
 * try {
 *   // ... run the tests with ISLET_TEST_PG_URL=pg.url ...
 * } finally {
 *   await pg.stop();
 * }
 * ```
 */
export async function providePostgres(
  options: ProvideOptions = {},
): Promise<ProvidedPostgres> {
  const log = options.log ?? ((l: string) => console.log(`postgres: ${l}`));
  const url = options.url ?? (Deno.env.get("PG_TEST_URL") || DEFAULT_PG_URL);
  const probe = await probePostgres(url);
  if (probe.ok) {
    log(`using ${redactUrl(url)}`);
    return await outside(url, log);
  }
  log(`${redactUrl(url)} is not usable (${probe.reason}); starting our own`);

  let binDir = findPgBinDir(options.search);
  if (!binDir) {
    if (!(options.root ?? isRoot())) {
      throw new Error(
        "no usable PostgreSQL, initdb/pg_ctl not found, and not running as " +
          "root; install it with:\n" +
          "  sudo apt-get update && sudo apt-get install -y " +
          "--no-install-recommends postgresql\n" +
          "or set PG_TEST_URL to a server whose role may create databases",
      );
    }
    log("initdb/pg_ctl not found: installing postgresql with apt-get");
    await (options.install ?? installPackages)(["postgresql"]);
    binDir = findPgBinDir(options.search);
    if (!binDir) {
      throw new Error("postgresql installed, but initdb/pg_ctl still missing");
    }
  }
  const cluster = await startPgCluster({ binDir });
  log(`started our own cluster in ${cluster.dir} at ${cluster.url}`);
  // A signal handler and the normal path may both stop it.
  let stopped: Promise<void> | undefined;
  return {
    url: cluster.url,
    own: true,
    dir: cluster.dir,
    // Its databases go with it: nothing to record.
    env: { ISLET_TEST_PG_URL: cluster.url },
    stop: () =>
      stopped ??= cluster.stop().then(() =>
        log(`stopped our own cluster and removed ${cluster.dir}`)
      ),
  };
}

/** A server that outlives the run: only this run's leftovers are dropped. */
async function outside(
  url: string,
  log: (line: string) => void,
): Promise<ProvidedPostgres> {
  const made = await Deno.makeTempFile({ prefix: "islet-pg-made-" });
  let stopped: Promise<void> | undefined;
  const stop = () =>
    stopped ??= (async () => {
      try {
        const dropped = await dropRecorded(url, made);
        if (dropped.length > 0) {
          log(`dropped ${dropped.length} test database(s) the run left`);
        }
      } catch (e) {
        // Leftovers are untidy, not a failed run: say so and go on.
        log(
          `could not drop the test databases the run left: ${
            e instanceof Error ? e.message : e
          }`,
        );
      } finally {
        cleanups.delete(stop);
        await Deno.remove(made).catch(() => {});
      }
    })();
  cleanups.add(stop);
  return {
    url,
    own: false,
    env: { ISLET_TEST_PG_URL: url, [PG_MADE_ENV]: made },
    stop,
  };
}

/** Drops the recorded databases that still exist; returns their names. */
async function dropRecorded(url: string, made: string): Promise<string[]> {
  const names = await recordedTestPgDatabases(made);
  if (names.length === 0) return [];
  const sql = postgres(url, {
    max: 1,
    connect_timeout: CONNECT_TIMEOUT_S,
    onnotice: () => {},
  });
  try {
    const left = (await sql<{ datname: string }[]>`
      select datname from pg_database where datname = any(${names})`)
      .map((r) => r.datname);
    for (const name of left) {
      // Names are checked identifiers (pg_made.ts); FORCE ends a connection
      // a killed test process may still hold.
      await sql.unsafe(`drop database if exists "${name}" with (force)`);
    }
    return left;
  } finally {
    await sql.end({ timeout: 1 }).catch(() => {});
  }
}

const SIGNALS: Deno.Signal[] = ["SIGINT", "SIGTERM", "SIGHUP"];
const SIGNAL_NUMBERS: Record<string, number> = {
  SIGHUP: 1,
  SIGINT: 2,
  SIGTERM: 15,
};

/**
 * On SIGINT, SIGTERM or SIGHUP: call `before` (e.g. end the test process),
 * stop every cluster this process started (also one still starting), and
 * exit with 128 + the signal number, so an interrupted run leaves no cluster
 * behind. Returns a function that removes the listeners.
 *
 * @example
 * ```ts
 * const release = stopOnSignals();
 * const pg = await providePostgres();
 * try {
 *   // ... run the tests ...
 * } finally {
 *   release();
 *   await pg.stop();
 * }
 * ```
 */
export function stopOnSignals(
  before?: (signal: Deno.Signal) => void,
): () => void {
  const handlers = SIGNALS.map((signal) => {
    const handler = async () => {
      try {
        before?.(signal);
        await Promise.all([...cleanups].map((stop) => stop()));
      } finally {
        Deno.exit(128 + SIGNAL_NUMBERS[signal]);
      }
    };
    Deno.addSignalListener(signal, handler);
    return () => Deno.removeSignalListener(signal, handler);
  });
  return () => handlers.forEach((remove) => remove());
}
