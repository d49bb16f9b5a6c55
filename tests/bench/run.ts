/**
 * `deno task bench`: builds the app, starts the production server and a
 * bare `Deno.serve` baseline, and measures each scenario with wrk in one
 * run, so the ratios compare like with like on the same machine.
 *
 *   deno task bench            # default: 8 s per scenario, 32 connections
 *   BENCH_SECONDS=3 deno task bench
 *   BENCH_ONLY=c,g,f deno task bench   # only these scenarios
 *
 * Scenario h serves the dashboard from PostgreSQL + Redis (one worker), i
 * the same for an account with a Stripe customer (billing on), and
 * p serves c and e from every core (`deno serve --parallel`, SQLite +
 * Redis); both start their own database and redis-server. Scenario w posts
 * signed Stripe events to the webhook of an app on SQLite whose Stripe is
 * the local stand-in (tests/bench/webhook.ts).
 *
 * @module
 */
import { dirname } from "node:path";
import { openPostgres } from "../../lib/db/postgres.ts";
import { createPgDatabase, dropPgDatabase } from "../../lib/db/testing.ts";
import { onFreePort, PortInUseError, saysPortInUse } from "../helpers/ports.ts";
import { startRedis, type TestRedis } from "../helpers/redis.ts";
import { START_TASK } from "../helpers/server.ts";
import { cpuSeconds } from "./cpu.ts";
import { measureSessionValidation } from "./sessions.ts";
import { measureStorm } from "./storm.ts";
import { measureWebhooks } from "./webhook.ts";
import { StripeStandin } from "../helpers/stripe_standin.ts";
import { ensureWrk, wrk, type WrkResult } from "./wrk.ts";

const seconds = Number(Deno.env.get("BENCH_SECONDS") ?? 8);
const connections = Number(Deno.env.get("BENCH_CONNECTIONS") ?? 32);
const only = Deno.env.get("BENCH_ONLY")?.split(",").map((s) => s.trim());
const wanted = (letter: string) => only === undefined || only.includes(letter);
const PASSWORD = "load-test passphrase 42";
const deno = Deno.execPath();
const root = new URL("../../", import.meta.url).pathname;

await ensureWrk();
console.log("Building ...");
await run([deno, "task", "build"]);

const dataDir = await Deno.makeTempDir({ prefix: "islet-bench-" });
const children: Deno.ChildProcess[] = [];
let redis: TestRedis | undefined;
let pgUrl: string | undefined;
let pgUrlI: string | undefined;
let stripeI: StripeStandin | undefined;
try {
  const hello = await startOnFreePort((port) => ({
    cmd: [deno, "run", "-A", "tests/bench/hello.ts", String(port)],
    env: {},
  }), "/");
  children.push(hello.child);
  // `deno task start`'s command: deno serve on $HOSTNAME:$PORT.
  const started = await startOnFreePort((port) => ({
    cmd: ["sh", "-c", `exec ${START_TASK}`],
    env: {
      PATH: `${dirname(deno)}:${Deno.env.get("PATH") ?? ""}`,
      PORT: String(port),
      HOSTNAME: "127.0.0.1",
      DATABASE_PATH: `${dataDir}/bench.db`,
      APP_URL: `http://127.0.0.1:${port}`,
      // The default limit (100 requests a minute per address) would refuse
      // the load generator within a second.
      RATE_LIMITS: "off",
    },
  }));
  children.push(started.child);

  const app = started.url;
  const cookie = await signUp(app);
  const scenarios: [string, string, Record<string, string>?][] = [
    ["a  bare Deno.serve hello", `${hello.url}/`],
    ["b  JSON route, full middleware stack (/api/health)", `${app}/api/health`],
    ["c  SSR page with one island (/)", `${app}/`],
    ["d  anonymous SSR page with island (/login)", `${app}/login`],
    ["e  authenticated dashboard (/dashboard)", `${app}/dashboard`, { cookie }],
    // What Chromium and Firefox send.
    ["g  SSR page, Accept-Encoding: gzip, deflate, br, zstd", `${app}/`, {
      "accept-encoding": "gzip, deflate, br, zstd",
    }],
  ];
  const pids = new Map<string, number>();
  if (wanted("h") || wanted("i") || wanted("p")) redis = await startRedis();
  if (wanted("h")) {
    pgUrl = await createPgDatabase(false);
    const { child, url } = await serve({
      DATABASE_URL: pgUrl,
      REDIS_URL: redis!.url,
    });
    children.push(child);
    scenarios.push([
      "h  dashboard on PostgreSQL + Redis (/dashboard)",
      `${url}/dashboard`,
      { cookie: await signUp(url) },
    ]);
    pids.set("h", child.pid);
  }
  if (wanted("i")) {
    // h for an account with a Stripe customer, billing configured: what
    // every signed-in page of a paying account costs (the failed-payment
    // banner's status comes with it).
    stripeI = await StripeStandin.start();
    pgUrlI = await createPgDatabase(false);
    const { child, url } = await serve({
      DATABASE_URL: pgUrlI,
      REDIS_URL: redis!.url,
      ...stripeI.env(),
    });
    children.push(child);
    const icookie = await signUp(url);
    const customer = stripeI.addCustomer({ email: "bench@example.com" });
    const db = await openPostgres(pgUrlI, { poolSize: 1 });
    try {
      await db.run("UPDATE users SET stripe_customer_id = ? WHERE email = ?", [
        customer.id,
        "bench@example.com",
      ]);
    } finally {
      await db.close();
    }
    scenarios.push([
      "i  h for an account with a Stripe customer",
      `${url}/dashboard`,
      { cookie: icookie },
    ]);
    pids.set("i", child.pid);
  }
  if (wanted("p")) {
    const { child, url } = await serve({
      DATABASE_PATH: `${dataDir}/parallel.db`,
      REDIS_URL: redis!.url,
    }, true);
    children.push(child);
    const pcookie = await signUp(url);
    scenarios.push(
      ["p  c on every core (--parallel, SQLite + Redis)", `${url}/`],
      ["p  e on every core (--parallel, SQLite + Redis)", `${url}/dashboard`, {
        cookie: pcookie,
      }],
    );
    pids.set("p", child.pid);
  }
  const results = new Map<string, WrkResult>();
  for (const [name, url, headers] of scenarios) {
    if (!wanted(name[0])) continue;
    await wrk(url, { seconds: 1, connections, headers }); // warm-up (JIT, caches)
    const pid = pids.get(name[0]) ?? children[name[0] === "a" ? 0 : 1].pid;
    const cpuBefore = cpuSeconds(pid);
    const r = await wrk(url, { seconds, connections, headers });
    const cpuUs = (cpuSeconds(pid) - cpuBefore) * 1e6 /
      (r.requestsPerSecond * seconds);
    if (r.non2xx > 0 || r.errors > 0) {
      throw new Error(
        `${name}: ${r.non2xx} non-2xx responses, ${r.errors} socket errors`,
      );
    }
    results.set(name[0] === "p" ? name.slice(0, 4).trim() : name[0], r);
    console.log(
      `${name.padEnd(52)} ${
        r.requestsPerSecond.toFixed(0).padStart(7)
      } req/s   p50 ${r.p50Ms.toFixed(2)} ms   p99 ${
        r.p99Ms.toFixed(2)
      } ms   server CPU ${cpuUs.toFixed(0)} µs/req`,
    );
  }
  const rps = (k: string) => results.get(k)?.requestsPerSecond ?? NaN;
  const ratio = (x: string, y: string) => (rps(x) / rps(y)).toFixed(3);
  console.log(
    `\nb/a = ${ratio("b", "a")}   c/a = ${ratio("c", "a")}   e/d = ${
      ratio("e", "d")
    } (authenticated / anonymous)   g/c = ${ratio("g", "c")} (compressed)`,
  );
  if (wanted("h")) {
    console.log(`h/e = ${ratio("h", "e")} (dashboard: PostgreSQL / SQLite)`);
  }
  if (wanted("i") && wanted("h")) {
    console.log(`i/h = ${ratio("i", "h")} (a Stripe customer / none)`);
  }
  if (wanted("p")) {
    console.log(
      `p c/c = ${ratio("p  c", "c")}   p e/e = ${
        ratio("p  e", "e")
      } (every core / one worker)`,
    );
  }
  if (wanted("f")) {
    const r = await measureStorm(app, {
      email: "bench@example.com",
      password: PASSWORD,
      seconds,
      connections,
      clients: 8,
    });
    if (r.calm.non2xx + r.calm.errors + r.storm.non2xx + r.storm.errors > 0) {
      throw new Error("f: page requests failed during the storm");
    }
    const line = (label: string, w: WrkResult) =>
      `${label.padEnd(52)} ${
        w.requestsPerSecond.toFixed(0).padStart(7)
      } req/s   p50 ${w.p50Ms.toFixed(2)} ms   p99 ${w.p99Ms.toFixed(2)} ms`;
    console.log(line("f  GET / calm", r.calm));
    console.log(line("f  GET / during 8-client sign-in storm", r.storm));
    console.log(
      `f  storm/calm = ${
        (r.storm.requestsPerSecond / r.calm.requestsPerSecond).toFixed(3)
      }   sign-ins ${r.signInsPerSecond.toFixed(1)}/s, refused ${
        r.refusedPerSecond.toFixed(1)
      }/s`,
    );
  }
  if (wanted("w")) {
    const stripe = await StripeStandin.start();
    try {
      const dbPath = `${dataDir}/webhook.db`;
      const { child, url } = await serve({
        DATABASE_PATH: dbPath,
        ...stripe.env(),
      });
      children.push(child);
      const r = await measureWebhooks(url, dbPath, stripe, {
        events: Math.max(2000, seconds * 1000),
        cpuSeconds: () => cpuSeconds(child.pid),
      });
      console.log(
        `${"w  Stripe webhook (verify, record, re-read, write)".padEnd(52)} ${
          r.eventsPerSecond.toFixed(0).padStart(7)
        } events/s p50 ${r.p50Ms.toFixed(2)} ms   p99 ${
          r.p99Ms.toFixed(2)
        } ms   server CPU ${
          r.cpuUsPerEvent.toFixed(0)
        } µs/event (${r.events} events, SQLite)`,
      );
    } finally {
      await stripe.close();
    }
  }
  if (wanted("s")) {
    const cost = await measureSessionValidation(5000);
    console.log(
      `session validation: ${cost.memoryUs.toFixed(1)} µs in-process cache, ${
        cost.redisUs.toFixed(1)
      } µs with Redis`,
    );
  }
  console.log(
    `(${seconds} s per scenario, ${connections} connections, wrk -t1, ${Deno.build.target})`,
  );
} finally {
  for (const child of children) {
    try {
      child.kill("SIGTERM");
      await child.status;
    } catch {
      // already gone
    }
  }
  await redis?.stop();
  if (pgUrl !== undefined) await dropPgDatabase(pgUrl);
  if (pgUrlI !== undefined) await dropPgDatabase(pgUrlI);
  await stripeI?.close();
  await Deno.remove(dataDir, { recursive: true });
}

/** The built app on a free port, one worker or (parallel) every core. */
function serve(
  env: Record<string, string>,
  parallel = false,
): Promise<Started> {
  return startOnFreePort((port) => ({
    cmd: [
      deno,
      "serve",
      "-A",
      ...(parallel ? ["--parallel"] : []),
      "--host",
      "127.0.0.1",
      "--port",
      String(port),
      "_fresh/server.js",
    ],
    env: { ...env, APP_URL: `http://127.0.0.1:${port}`, RATE_LIMITS: "off" },
  }));
}

/** A server started by {@linkcode startOnFreePort}. */
interface Started {
  child: Deno.ChildProcess;
  /** `http://127.0.0.1:<port>` */
  url: string;
}

/**
 * Starts what `command` gives for a free port and waits until it says it
 * listens there ("Listening on …:<port>/" on stderr, as `deno serve`
 * and hello.ts say) and `ready` answers; on another port when the picked
 * one was taken first (tests/helpers/ports.ts). Its stderr is passed on.
 */
function startOnFreePort(
  command: (port: number) => { cmd: string[]; env: Record<string, string> },
  ready = "/api/health",
): Promise<Started> {
  return onFreePort(async (port) => {
    const { cmd, env } = command(port);
    const child = new Deno.Command(cmd[0], {
      args: cmd.slice(1),
      cwd: root,
      env,
      stdout: "null",
      stderr: "piped",
    }).spawn();
    let err = "";
    const decoder = new TextDecoder();
    const exited = (async () => {
      for await (const chunk of child.stderr) {
        err += decoder.decode(chunk, { stream: true });
        await Deno.stderr.write(chunk);
      }
      return await child.status;
    })();
    let gone = false;
    exited.then(() => gone = true);
    const listening = new RegExp(`Listening on \\S+:${port}/`);
    const deadline = Date.now() + 20_000;
    while (!listening.test(err)) {
      if (gone || Date.now() > deadline) {
        try {
          child.kill("SIGKILL");
        } catch { /* already gone */ }
        await exited;
        if (saysPortInUse(err)) throw new PortInUseError(port, err);
        throw new Error(`${cmd.join(" ")} did not start on port ${port}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    const url = `http://127.0.0.1:${port}`;
    await waitFor(`${url}${ready}`);
    return { child, url };
  });
}

/**
 * Creates a user through the API, then signs in (sign-up starts no
 * session) and returns the session cookie.
 */
async function signUp(app: string): Promise<string> {
  const post = (path: string) =>
    fetch(`${app}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: app },
      body: JSON.stringify({ email: "bench@example.com", password: PASSWORD }),
    });
  const registered = await post("/api/auth/register");
  await registered.body?.cancel();
  if (registered.status !== 202) {
    throw new Error(`sign-up failed: ${registered.status}`);
  }
  const res = await post("/api/auth/login");
  const setCookie = res.headers.get("set-cookie");
  await res.body?.cancel();
  if (res.status !== 200 || setCookie === null) {
    throw new Error(`sign-in failed: ${res.status}`);
  }
  return setCookie.split(";")[0];
}

async function run(cmd: string[]): Promise<void> {
  const { code } = await new Deno.Command(cmd[0], {
    args: cmd.slice(1),
    cwd: root,
    stdout: "inherit",
    stderr: "inherit",
  }).output();
  if (code !== 0) {
    throw new Error(`${cmd.join(" ")} failed with exit code ${code}`);
  }
}

async function waitFor(url: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    try {
      const res = await fetch(url);
      await res.body?.cancel();
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(`${url} did not answer within 20 s`);
}
