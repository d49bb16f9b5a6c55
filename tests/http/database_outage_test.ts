/**
 * PostgreSQL faults while the app runs: the app (built in process) talks
 * to a real PostgreSQL through a TCP proxy the test controls, on a
 * database of its own. Cut, restarted or locked, the database makes the
 * requests that need it answer 503 with Retry-After (JSON under /api, the
 * error page otherwise), never 500 and never later than the statement
 * timeout allows; health and status say it is down; and the same running
 * app serves again as soon as the database is back.
 *
 * @module
 */
import { match, ok, strictEqual } from "node:assert/strict";
import { startTcpProxy, type TcpProxy } from "../../lib/cache/tcp_proxy.ts";
import { openPostgres, type PostgresDb } from "../../lib/db/postgres.ts";
import { createPgDatabase, dropPgDatabase } from "../../lib/db/testing.ts";
import {
  type Answer,
  assertJsonError,
  Client,
  PASSWORD,
  startApp,
  uniqueEmail,
} from "../helpers/auth.ts";

/** The statement timeout the app runs with here. */
const STATEMENT_TIMEOUT_MS = 500;
/**
 * What any one request may take during a fault: the statement timeout
 * plus generous slack for two noisy cores. A hang fails the test here
 * instead of at the test runner's own timeout.
 */
const REQUEST_BOUND_MS = 3_000;
/** In the app's DATABASE_URL. */
const PG_PASSWORD = "s3cret-pw";

interface Setup {
  alice: Client;
  /** Signed in before the fault: has a session cookie. */
  email: string;
  proxy: TcpProxy;
  /** A connection straight to the test database, around the proxy. */
  direct: PostgresDb;
  logs(): string;
}

/**
 * Runs `fn` with the app on a fresh migrated database reached through a
 * proxy, and a user signed in; removes everything after.
 */
async function withPgApp(fn: (s: Setup) => Promise<void>): Promise<void> {
  const url = await createPgDatabase(true);
  const target = new URL(url);
  const proxy = startTcpProxy(Number(target.port || 5432));
  const proxied = new URL(url);
  proxied.host = new URL(proxy.url).host;
  // Trust authentication ignores it; the logs must not show it either.
  proxied.password = PG_PASSWORD;
  let app;
  let direct;
  try {
    direct = await openPostgres(url, { poolSize: 2 });
    app = await startApp({
      env: {
        DATABASE_URL: proxied.href,
        DATABASE_STATEMENT_TIMEOUT_MS: String(STATEMENT_TIMEOUT_MS),
        DATABASE_POOL_SIZE: "4",
      },
    });
    const alice = new Client(app);
    const email = uniqueEmail("alice");
    await alice.register(email);
    await fn({ alice, email, proxy, direct, logs: app.logs });
  } finally {
    await app?.stop();
    await direct?.close();
    await proxy.close();
    await dropPgDatabase(url);
  }
}

/** `request`, failing the test if it has not answered within the bound. */
async function bounded(
  label: string,
  request: () => Promise<Answer>,
): Promise<Answer> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${label}: no answer in ${REQUEST_BOUND_MS} ms`)),
      REQUEST_BOUND_MS,
    );
  });
  try {
    return await Promise.race([request(), late]);
  } finally {
    clearTimeout(timer);
  }
}

/** A 503 as the API answers it: JSON, with Retry-After. */
function assertApi503(a: Answer, label: string): void {
  assertJsonError(a, 503);
  ok(a.headers.get("retry-after"), `${label}: Retry-After`);
}

/** A 503 as pages answer it: the error page in the layout, Retry-After. */
function assertPage503(a: Answer, label: string): void {
  strictEqual(a.status, 503, `${label}: ${a.text.slice(0, 200)}`);
  match(a.headers.get("content-type") ?? "", /text\/html/, label);
  match(a.text, /<html/i, label);
  ok(a.headers.get("retry-after"), `${label}: Retry-After`);
}

/** Every request that needs the database, as the signed-in `alice`. */
async function assertAllUnavailable(s: Setup): Promise<void> {
  const { alice, email } = s;
  // A new client: its sign-in needs the users table.
  const bob = new Client(alice.app);
  assertApi503(
    await bounded(
      "API sign-in",
      () =>
        bob.post("/api/auth/login", { json: { email, password: PASSWORD } }),
    ),
    "API sign-in",
  );
  assertPage503(
    await bounded(
      "form sign-in",
      () =>
        bob.post("/login", {
          form: { email, password: PASSWORD },
          headers: { accept: "text/html" },
        }),
    ),
    "form sign-in",
  );
  assertPage503(
    await bounded(
      "dashboard",
      () => alice.get("/dashboard", { headers: { accept: "text/html" } }),
    ),
    "dashboard",
  );
  assertApi503(
    await bounded("sessions", () => alice.get("/api/auth/sessions")),
    "sessions",
  );
  assertApi503(
    await bounded("me", () => alice.get("/api/auth/me")),
    "me",
  );
  // As a monitor asks: without a session (with one, reading the session
  // is already the 503 above).
  const health = await bounded(
    "health",
    () => alice.get("/api/health", { cookie: null }),
  );
  strictEqual(health.status, 503, health.text);
  strictEqual(health.json.checks.database, "error");
  strictEqual(health.json.status, "error");
  const status = await bounded(
    "status",
    () =>
      alice.get("/status", {
        cookie: null,
        headers: { accept: "text/html" },
      }),
  );
  strictEqual(status.status, 503);
  match(status.text, /database does not answer/);
  // The cookie survived: an outage is not a sign-out.
  ok(alice.cookie, "the session cookie is kept");
}

/** Every one of those requests answers as usual again. */
async function assertAllServed(s: Setup): Promise<void> {
  const { alice, email } = s;
  const health = await bounded("health", () => alice.get("/api/health"));
  strictEqual(health.status, 200, health.text);
  strictEqual(health.json.checks.database, "ok");
  strictEqual(
    (await bounded("dashboard", () => alice.get("/dashboard"))).status,
    200,
  );
  const sessions = await bounded(
    "sessions",
    () => alice.get("/api/auth/sessions"),
  );
  strictEqual(sessions.status, 200, sessions.text);
  strictEqual(
    (await bounded("status", () => alice.get("/status"))).status,
    200,
  );
  const bob = new Client(alice.app);
  const signIn = await bounded(
    "sign-in",
    () => bob.post("/api/auth/login", { json: { email, password: PASSWORD } }),
  );
  strictEqual(signIn.status, 200, signIn.text);
}

/** The outage was logged, and never with the database password. */
function assertLogsClean(s: Setup): void {
  const logs = s.logs();
  ok(!logs.includes(PG_PASSWORD), `the password is in the logs:\n${logs}`);
}

Deno.test("postgres outage: requests answer 503 while the database is unreachable, and the app recovers by itself", async () => {
  await withPgApp(async (s) => {
    await assertAllServed(s);
    s.proxy.cut();
    await assertAllUnavailable(s);
    // Still down a moment later: nothing got cached as healthy meanwhile.
    await assertAllUnavailable(s);
    s.proxy.resume();
    await assertAllServed(s);
    assertLogsClean(s);
    // Logged, naming the database without its password.
    match(
      s.logs(),
      /PostgreSQL at postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:\d+\/\w+ is unavailable/,
    );
  });
});

Deno.test("postgres outage: connections ended by the server (as a restart ends them) are replaced unseen", async () => {
  await withPgApp(async (s) => {
    await assertAllServed(s);
    // What a restart or failover does to every open connection.
    const ended = await s.direct.all(
      `SELECT pg_terminate_backend(pid) AS ended FROM pg_stat_activity
        WHERE datname = current_database() AND application_name = 'islet'
          AND pid <> pg_backend_pid()`,
    );
    ok(ended.length > 0, "the app had connections open");
    // Idle connections that died are noticed and replaced: the next
    // requests are served, at worst refused with 503, never a 500.
    for (let i = 0; i < 3; i++) {
      const a = await bounded("dashboard", () => s.alice.get("/dashboard"));
      ok(a.status === 200 || a.status === 503, `status ${a.status}`);
    }
    await assertAllServed(s);
    assertLogsClean(s);
  });
});

Deno.test("postgres outage: connections cut mid-flight, then the database back at once", async () => {
  await withPgApp(async (s) => {
    await assertAllServed(s);
    s.proxy.cut();
    s.proxy.resume();
    for (let i = 0; i < 3; i++) {
      const a = await bounded("dashboard", () => s.alice.get("/dashboard"));
      ok(a.status === 200 || a.status === 503, `status ${a.status}`);
    }
    await assertAllServed(s);
    assertLogsClean(s);
  });
});

Deno.test("postgres outage: a statement held up by a lock is cut by the statement timeout and answers 503", async () => {
  await withPgApp(async (s) => {
    await assertAllServed(s);
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let locked!: () => void;
    const isLocked = new Promise<void>((resolve) => (locked = resolve));
    // Another client holds the tables every one of these requests reads.
    const holder = s.direct.transaction(async (tx) => {
      await tx.exec("LOCK TABLE users, sessions IN ACCESS EXCLUSIVE MODE");
      locked();
      await held;
    });
    try {
      await isLocked;
      const started = performance.now();
      const bob = new Client(s.alice.app);
      assertApi503(
        await bounded(
          "API sign-in",
          () =>
            bob.post("/api/auth/login", {
              json: { email: s.email, password: PASSWORD },
            }),
        ),
        "API sign-in",
      );
      // Not a generous bound on time (noisy machines): that it waited for
      // the lock at all, up to the timeout, rather than failing at once.
      ok(performance.now() - started >= STATEMENT_TIMEOUT_MS * 0.9);
      assertPage503(
        await bounded(
          "dashboard",
          () => s.alice.get("/dashboard", { headers: { accept: "text/html" } }),
        ),
        "dashboard",
      );
      assertApi503(
        await bounded("sessions", () => s.alice.get("/api/auth/sessions")),
        "sessions",
      );
    } finally {
      release();
      await holder;
    }
    await assertAllServed(s);
    assertLogsClean(s);
    match(s.logs(), /statement timeout/);
  });
});

Deno.test("postgres outage: a network that stops forwarding costs one deadline per request, not a hang", async () => {
  await withPgApp(async (s) => {
    await assertAllServed(s);
    // Connections stay open and nothing comes back: the server's own
    // statement timeout cannot help, the app's deadline must.
    s.proxy.stall();
    await assertAllUnavailable(s);
    s.proxy.resume();
    await assertAllServed(s);
    assertLogsClean(s);
  });
});
