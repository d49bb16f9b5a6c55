import assert from "node:assert/strict";
import postgres from "postgres";
import {
  findPgBinDir,
  probePostgres,
  providePostgres,
  redactUrl,
  startPgCluster,
} from "./postgres_server.ts";
import { freePort } from "./helpers/redis.ts";
import {
  PG_MADE_ENV,
  recordTestPgDatabase as record,
} from "./helpers/pg_made.ts";

/** Records `name` in `file`, as a test process under the runner does. */
function recordTestPgDatabase(name: string, file: string): void {
  const saved = Deno.env.get(PG_MADE_ENV);
  Deno.env.set(PG_MADE_ENV, file);
  try {
    record(name);
  } finally {
    if (saved === undefined) Deno.env.delete(PG_MADE_ENV);
    else Deno.env.set(PG_MADE_ENV, saved);
  }
}

const ROOT = new URL("..", import.meta.url).pathname;

function gone(path: string): boolean {
  try {
    Deno.statSync(path);
    return false;
  } catch (e) {
    return e instanceof Deno.errors.NotFound;
  }
}

async function portClosed(port: number): Promise<boolean> {
  try {
    (await Deno.connect({ hostname: "127.0.0.1", port })).close();
    return false;
  } catch {
    return true;
  }
}

async function query<T>(
  url: string,
  fn: (sql: postgres.Sql) => Promise<T>,
): Promise<T> {
  const sql = postgres(url, { max: 1 });
  try {
    return await fn(sql);
  } finally {
    await sql.end();
  }
}

Deno.test("redactUrl masks the password and nothing else", () => {
  assert.equal(
    redactUrl("postgres://app:s3cret@db:5432/app"),
    "postgres://app:***@db:5432/app",
  );
  assert.equal(
    redactUrl("postgres://postgres@127.0.0.1:5432/postgres"),
    "postgres://postgres@127.0.0.1:5432/postgres",
  );
  assert.equal(redactUrl("not a url"), "(unparsable URL)");
});

Deno.test("findPgBinDir: PATH first, else the newest complete /usr/lib/postgresql/<v>/bin", async () => {
  const tmp = await Deno.makeTempDir({ prefix: "islet-pgbin-" });
  try {
    const put = async (dir: string, ...names: string[]) => {
      await Deno.mkdir(dir, { recursive: true });
      for (const n of names) await Deno.writeTextFile(`${dir}/${n}`, "");
    };
    const lib = `${tmp}/lib`;
    await put(`${lib}/9.6/bin`, "initdb", "pg_ctl");
    await put(`${lib}/15/bin`, "initdb", "pg_ctl");
    await put(`${lib}/16/bin`, "initdb"); // incomplete: no pg_ctl
    await put(`${lib}/notaversion/bin`, "initdb", "pg_ctl");
    assert.equal(findPgBinDir({ path: "", libDir: lib }), `${lib}/15/bin`);

    await put(`${tmp}/usr/local/bin`, "initdb", "pg_ctl");
    assert.equal(
      findPgBinDir({ path: `${tmp}/nope:${tmp}/usr/local/bin`, libDir: lib }),
      `${tmp}/usr/local/bin`,
    );
    assert.equal(
      findPgBinDir({ path: "", libDir: `${tmp}/missing` }),
      undefined,
    );
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});

Deno.test("probePostgres: a closed port is not usable, with the reason", async () => {
  const r = await probePostgres(
    `postgres://postgres@127.0.0.1:${freePort()}/postgres`,
  );
  assert.equal(r.ok, false);
  assert.match(!r.ok ? r.reason : "", /ECONNREFUSED/);
});

Deno.test("startPgCluster: own cluster on 127.0.0.1, SELECT 1, stop removes it", async () => {
  const cluster = await startPgCluster();
  try {
    assert.equal(
      cluster.url,
      `postgres://postgres@127.0.0.1:${cluster.port}/postgres`,
    );
    assert.ok(cluster.dir.includes("islet-pg-"));
    const row = await query(cluster.url, async (sql) => {
      const [r] = await sql`select 1 as one,
        current_setting('listen_addresses') as listen,
        current_setting('unix_socket_directories') as sockets,
        current_setting('data_directory') as data`;
      return r;
    });
    assert.equal(row.one, 1);
    assert.equal(row.listen, "127.0.0.1");
    assert.equal(row.sockets, cluster.dir);
    assert.equal(row.data, `${cluster.dir}/data`);
    assert.deepEqual(await probePostgres(cluster.url), { ok: true });
    if (Deno.uid() === 0) {
      // PostgreSQL refuses root; the runner must have switched accounts.
      assert.notEqual(Deno.statSync(`${cluster.dir}/data`).uid, 0);
    }
  } finally {
    await cluster.stop();
  }
  assert.ok(gone(cluster.dir), `${cluster.dir} left behind`);
  assert.ok(await portClosed(cluster.port), "server still listening");
  await cluster.stop(); // a second stop is harmless
});

Deno.test("providePostgres: uses a usable server as is, else starts and removes its own", async () => {
  const outside = await startPgCluster();
  try {
    const logs: string[] = [];
    const used = await providePostgres({
      url: outside.url,
      log: (l) => logs.push(l),
    });
    try {
      assert.equal(used.own, false);
      assert.equal(used.url, outside.url);
      assert.equal(used.env.ISLET_TEST_PG_URL, outside.url);
    } finally {
      await used.stop();
    }
    // Not ours to stop: still answering.
    assert.deepEqual(await probePostgres(outside.url), { ok: true });
    assert.deepEqual(logs, [`using ${outside.url}`]);
    assert.ok(gone(used.env.ISLET_TEST_PG_MADE), "record file left behind");
  } finally {
    await outside.stop();
  }

  const closed = `postgres://postgres@127.0.0.1:${freePort()}/postgres`;
  const own = await providePostgres({ url: closed, log: () => {} });
  try {
    assert.equal(own.own, true);
    assert.notEqual(own.url, closed);
    assert.ok(own.dir);
    assert.deepEqual(await probePostgres(own.url), { ok: true });
  } finally {
    await own.stop();
  }
  assert.ok(gone(own.dir!), `${own.dir} left behind`);
});

Deno.test("providePostgres: on an outside server, stop drops the test databases this run recorded, and only those", async () => {
  const outside = await startPgCluster();
  let held: postgres.Sql | undefined;
  try {
    const logs: string[] = [];
    const used = await providePostgres({
      url: outside.url,
      log: (l) => logs.push(l),
    });
    const made = used.env.ISLET_TEST_PG_MADE;
    assert.ok(made && !gone(made), "no record file for the test process");
    await query(outside.url, async (sql) => {
      for (const n of ["islet_test_mine", "islet_test_theirs"]) {
        await sql.unsafe(`create database "${n}"`);
      }
    });
    // As a test process that died would have left it: recorded, still open.
    recordTestPgDatabase("islet_test_mine", made);
    recordTestPgDatabase("islet_test_already_dropped", made);
    const mine = new URL(outside.url);
    mine.pathname = "/islet_test_mine";
    held = postgres(mine.href, { max: 1 });
    await held`select 1`;

    await used.stop();
    const left = await query(
      outside.url,
      (sql) =>
        sql`select datname from pg_database
        where datname like 'islet_test_%' order by datname`,
    );
    // Another run's database on the same server is not this run's to drop.
    assert.deepEqual(left.map((r) => r.datname), ["islet_test_theirs"]);
    assert.ok(gone(made), "record file left behind");
    assert.ok(
      logs.includes("dropped 1 test database(s) the run left"),
      logs.join("\n"),
    );
    await used.stop(); // a second stop is harmless

    // A server gone by then: stop still resolves, and says why.
    const again = await providePostgres({
      url: outside.url,
      log: (l) => logs.push(l),
    });
    recordTestPgDatabase("islet_test_x", again.env.ISLET_TEST_PG_MADE);
    await outside.stop();
    await again.stop();
    assert.match(
      logs.at(-1)!,
      /^could not drop the test databases the run left: /,
    );
  } finally {
    await held?.end({ timeout: 1 });
    await outside.stop();
  }
});

Deno.test("providePostgres: installs postgresql when initdb/pg_ctl are missing", async () => {
  const real = findPgBinDir();
  assert.ok(real, "this test needs initdb and pg_ctl on the machine");
  const closed = `postgres://postgres@127.0.0.1:${freePort()}/postgres`;
  const tmp = await Deno.makeTempDir({ prefix: "islet-pgapt-" });
  // The cluster's account must reach the binaries the fake install links.
  await Deno.chmod(tmp, 0o755);
  const search = { path: `${tmp}/bin`, libDir: `${tmp}/lib` };
  try {
    await assert.rejects(
      providePostgres({
        url: closed,
        search,
        root: false,
        install: () => Promise.reject(new Error("must not install")),
        log: () => {},
      }),
      /not running as root.*\n.*apt-get install -y --no-install-recommends postgresql/,
    );

    const installed: string[][] = [];
    const pg = await providePostgres({
      url: closed,
      search,
      root: true,
      // Stands in for apt: puts the machine's binaries where Debian would.
      install: async (packages) => {
        installed.push(packages);
        const bin = `${tmp}/lib/15/bin`;
        await Deno.mkdir(bin, { recursive: true });
        await Deno.chmod(`${tmp}/lib`, 0o755);
        for (const n of ["initdb", "pg_ctl"]) {
          await Deno.symlink(
            await Deno.realPath(`${real}/${n}`),
            `${bin}/${n}`,
          );
        }
      },
      log: () => {},
    });
    try {
      assert.deepEqual(installed, [["postgresql"]]);
      assert.equal(pg.own, true);
      assert.deepEqual(await probePostgres(pg.url), { ok: true });
    } finally {
      await pg.stop();
    }
    assert.ok(gone(pg.dir!));
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});

Deno.test("stopOnSignals: SIGTERM to the runner stops and removes its cluster", async () => {
  const mod = new URL("./postgres_server.ts", import.meta.url).href;
  const script = `
    import { startPgCluster, stopOnSignals } from ${JSON.stringify(mod)};
    const c = await startPgCluster();
    stopOnSignals((s) => console.log("before " + s));
    console.log(JSON.stringify({ dir: c.dir, port: c.port }));
    setInterval(() => {}, 1000);
  `;
  const child = new Deno.Command(Deno.execPath(), {
    args: ["eval", "--config", `${ROOT}deno.json`, script],
    cwd: ROOT,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let out = "";
  while (!out.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) break;
    out += value;
  }
  let info: { dir: string; port: number } | undefined;
  try {
    info = JSON.parse(out.split("\n")[0]);
    assert.ok(info && !gone(info.dir), `cluster did not start: ${out}`);
    assert.equal(await portClosed(info.port), false);
  } finally {
    child.kill("SIGTERM");
    const status = await child.status;
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      out += value;
    }
    const err = await new Response(child.stderr).text();
    assert.equal(status.code, 128 + 15, `exit ${status.code}: ${err}`);
  }
  assert.match(out, /before SIGTERM/);
  assert.ok(gone(info!.dir), `${info!.dir} left behind`);
  assert.ok(await portClosed(info!.port), "server still listening");
});

function readOr(path: string): string {
  try {
    return Deno.readTextFileSync(path);
  } catch {
    return "";
  }
}

// How each phase shows in the cluster's folder. initdb's bootstrap backend
// writes a postmaster.pid too, so the server's start is read off its log.
const PHASES: [string, (dir: string) => boolean][] = [
  ["initdb", (dir) => !gone(`${dir}/data`)],
  [
    "start, once the server is up",
    (dir) => readOr(`${dir}/postgres.log`).includes("ready to accept"),
  ],
];
for (const [phase, reachedIn] of PHASES) {
  Deno.test(`stopOnSignals: SIGTERM during ${phase} leaves nothing behind`, async () => {
    const mod = new URL("./postgres_server.ts", import.meta.url).href;
    const script = `
      import { startPgCluster, stopOnSignals } from ${JSON.stringify(mod)};
      stopOnSignals();
      setInterval(() => {}, 1000);
      await startPgCluster();
    `;
    // Its own TMPDIR, so the test sees the cluster's folder appear and go.
    const tmp = await Deno.makeTempDir({ prefix: "islet-pgsig-" });
    await Deno.chmod(tmp, 0o755); // the cluster's account must get through
    try {
      const child = new Deno.Command(Deno.execPath(), {
        args: ["eval", "--config", `${ROOT}deno.json`, script],
        cwd: ROOT,
        env: { TMPDIR: tmp },
        stdin: "null",
        stdout: "null",
        stderr: "piped",
      }).spawn();
      const entries = () => [...Deno.readDirSync(tmp)].map((e) => e.name);
      // Signal as soon as the phase has left its mark in the folder.
      const reached = () => entries().some((d) => reachedIn(`${tmp}/${d}`));
      const deadline = Date.now() + 30_000;
      while (!reached() && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 2));
      }
      const ok = reached();
      child.kill("SIGTERM");
      const status = await child.status;
      const err = await new Response(child.stderr).text();
      assert.ok(ok, `${phase} never began: ${err}`);
      assert.equal(status.code, 128 + 15, `exit ${status.code}: ${err}`);
      assert.deepEqual(entries(), [], "cluster folder left behind");
      // Nothing of it still running (initdb, pg_ctl or the server).
      const left = [];
      for (const p of Deno.readDirSync("/proc")) {
        if (!/^\d+$/.test(p.name)) continue;
        try {
          const cmd = Deno.readTextFileSync(`/proc/${p.name}/cmdline`);
          if (cmd.includes(tmp)) left.push(cmd.replaceAll("\0", " "));
        } catch { /* exited meanwhile */ }
      }
      assert.deepEqual(left, []);
    } finally {
      await Deno.remove(tmp, { recursive: true });
    }
  });
}
