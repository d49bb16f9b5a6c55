/**
 * The built server on every core (`deno task start` with `REDIS_URL`, i.e.
 * `deno serve --parallel`): migrations run once on a fresh database while
 * the workers start together, a session ended through one worker is refused
 * by every worker, and without Redis a parallel server refuses to start.
 */
import { ok, strictEqual } from "node:assert/strict";
import { dirname } from "node:path";
import { openSqlite } from "../../lib/db/sqlite.ts";
import { loadMigrations, migrationsDir } from "../../lib/db/migrate.ts";
import { startRedis } from "../helpers/redis.ts";
import { startServer } from "../helpers/server.ts";

const WORKERS = 3;

Deno.test("parallel: several workers migrate once and refuse a session ended through any of them", async () => {
  const redis = await startRedis();
  const dir = await Deno.makeTempDir({ prefix: "islet-parallel-" });
  const dbPath = `${dir}/fresh.db`;
  // A new connection per request, so the kernel spreads them over workers.
  const client = Deno.createHttpClient({ poolMaxIdlePerHost: 0 });
  const server = await startServer({
    env: {
      REDIS_URL: redis.url,
      DATABASE_PATH: dbPath,
      DENO_JOBS: String(WORKERS),
      RATE_LIMITS: "off",
    },
  });
  try {
    // The server answers once its first worker listens; the line saying how
    // many run comes when they all do.
    for (let i = 0; i < 100 && !server.logs().includes("threads"); i++) {
      await new Promise((r) => setTimeout(r, 100));
    }
    ok(server.logs().includes(`with ${WORKERS} threads`), server.logs());
    const call = async (path: string, init: RequestInit = {}) => {
      const res = await fetch(
        `${server.url}${path}`,
        {
          ...init,
          client,
        } as RequestInit & { client: Deno.HttpClient },
      );
      await res.body?.cancel();
      return res;
    };
    const credentials = {
      method: "POST",
      headers: { "content-type": "application/json", origin: server.url },
      body: JSON.stringify({
        email: "par@example.com",
        password: "parallel passphrase 42",
      }),
    };
    strictEqual((await call("/api/auth/register", credentials)).status, 202);
    const signIn = await call("/api/auth/login", credentials);
    strictEqual(signIn.status, 200);
    const cookie = signIn.headers.get("set-cookie")!.split(";")[0];
    const me = async () =>
      (await call("/api/auth/me", { headers: { cookie } })).status;
    // Enough requests that every worker has validated (and kept) it.
    const before = await Promise.all(Array.from({ length: 30 }, me));
    ok(before.every((s) => s === 200), before.join(","));

    const out = await call("/api/auth/logout", {
      method: "POST",
      headers: { cookie, origin: server.url },
    });
    strictEqual(out.status, 200);
    const after = await Promise.all(Array.from({ length: 30 }, me));
    ok(after.every((s) => s === 401), after.join(","));

    const db = openSqlite(dbPath);
    try {
      const rows = await db.all<{ version: number }>(
        "SELECT version FROM schema_migrations ORDER BY version",
      );
      const files = await loadMigrations(migrationsDir("sqlite"));
      strictEqual(rows.length, files.length);
    } finally {
      await db.close();
    }
    ok(!/failed|Uncaught|cannot start/i.test(server.logs()), server.logs());
  } finally {
    client.close();
    await server.stop();
    await redis.stop();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("parallel: without Redis, several workers stop with a clear message", async () => {
  const dir = await Deno.makeTempDir({ prefix: "islet-parallel-" });
  try {
    const root = new URL("../..", import.meta.url).pathname;
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["serve", "-A", "--parallel", "--port", "0", "_fresh/server.js"],
      cwd: root,
      env: {
        DENO_JOBS: "2",
        REDIS_URL: "",
        DATABASE_PATH: `${dir}/x.db`,
        PATH: `${dirname(Deno.execPath())}:${Deno.env.get("PATH") ?? ""}`,
      },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const text = new TextDecoder().decode(out.stderr);
    strictEqual(out.code, 1, text);
    ok(text.includes("REDIS_URL is not set"), text);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
