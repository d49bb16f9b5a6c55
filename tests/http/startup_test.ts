/**
 * Start-up failures are one clear message and exit code 1: invalid
 * settings (all listed at once, secrets not echoed), an unreachable Redis,
 * and accounts using two-factor with no ENCRYPTION_KEY to read them.
 */
import { match, ok, strictEqual } from "node:assert/strict";
import { dirname } from "node:path";
import { migrate } from "../../lib/db/migrate.ts";
import { openSqlite } from "../../lib/db/sqlite.ts";
import { setTwoFactor } from "../../lib/db/two_factor.ts";
import { createUser } from "../../lib/db/users.ts";
import { createSecretBox, parseKey } from "../../lib/security/encryption.ts";
import { TEST_ENCRYPTION_KEY } from "../helpers/encryption_key.ts";
import { startDevServer } from "../helpers/dev_server.ts";
import { freePort } from "../helpers/redis.ts";
import { START_TASK, startServer } from "../helpers/server.ts";

async function start(
  env: Record<string, string>,
  prepare?: (dbPath: string) => Promise<void>,
): Promise<{ code: number; stderr: string }> {
  const dir = await Deno.makeTempDir({ prefix: "islet-startup-" });
  try {
    await prepare?.(`${dir}/t.db`);
    const out = await new Deno.Command("sh", {
      args: ["-c", `exec ${START_TASK}`],
      env: {
        DATABASE_PATH: `${dir}/t.db`,
        PORT: String(freePort()),
        NO_COLOR: "1",
        PATH: `${dirname(Deno.execPath())}:${Deno.env.get("PATH") ?? ""}`,
        ...env,
      },
      stdout: "piped",
      stderr: "piped",
    }).output();
    return { code: out.code, stderr: new TextDecoder().decode(out.stderr) };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("start-up: invalid settings are listed together, without secrets or a stack trace", async () => {
  const { code, stderr } = await start({
    SESSION_DURATION_DAYS: "0",
    REDIS_URL: "http://user:hunter2@cache.internal",
    RATE_LIMITS: "maybe",
  });
  strictEqual(code, 1);
  match(stderr, /Invalid configuration \(3 problems\)/);
  match(stderr, /SESSION_DURATION_DAYS/);
  match(stderr, /REDIS_URL/);
  match(stderr, /RATE_LIMITS/);
  ok(!stderr.includes("hunter2"), "the password is not printed");
  ok(!/\n\s+at /.test(stderr), "no stack trace");
});

Deno.test("start-up: an unreachable REDIS_URL stops the app with a clear message", async () => {
  const { code, stderr } = await start({
    REDIS_URL: `redis://:s3cret@127.0.0.1:${freePort()}`,
  });
  strictEqual(code, 1);
  match(stderr, /Redis is unreachable/);
  ok(!stderr.includes("s3cret"), "the password is not printed");
});

Deno.test("start-up: a garbage HOSTNAME fails clearly", async () => {
  // deno serve refuses it (--host) before the app's settings are read.
  const { code, stderr } = await start({ HOSTNAME: "my host;rm -rf" });
  ok(code !== 0);
  match(stderr, /invalid host 'my host;rm -rf'/);
});

/** A database with one account whose two-factor secret is sealed under the test key. */
async function withTwoFactorAccount(path: string): Promise<void> {
  const db = openSqlite(path);
  try {
    await migrate(db);
    const user = await createUser(db, {
      email: "ada@example.com",
      username: "ada",
    });
    const box = await createSecretBox(parseKey(TEST_ENCRYPTION_KEY)!);
    await setTwoFactor(db, user.id, {
      secretEncrypted: await box.seal(new Uint8Array(20), user.id),
      enabled: true,
    });
  } finally {
    await db.close();
  }
}

Deno.test("start-up: without ENCRYPTION_KEY, a database where an account uses two-factor stops the production server clearly", async () => {
  const { code, stderr } = await start(
    { ENCRYPTION_KEY: "" },
    withTwoFactorAccount,
  );
  strictEqual(code, 1, stderr);
  match(
    stderr,
    /^Islet cannot start\.\nENCRYPTION_KEY is not set, but 1 account uses two-factor sign-in: .*Set ENCRYPTION_KEY/,
  );
  ok(!/\n\s+at /.test(stderr), "no stack trace");
});

Deno.test("start-up: the same database with its ENCRYPTION_KEY serves; an empty one serves without a key", async () => {
  const dir = await Deno.makeTempDir({ prefix: "islet-startup-" });
  try {
    await withTwoFactorAccount(`${dir}/t.db`);
    for (
      const env of [
        { DATABASE_PATH: `${dir}/t.db`, ENCRYPTION_KEY: TEST_ENCRYPTION_KEY },
        { DATABASE_PATH: `${dir}/empty.db`, ENCRYPTION_KEY: "" },
      ]
    ) {
      const server = await startServer({ env });
      try {
        const res = await fetch(`${server.url}/api/health`);
        strictEqual(res.status, 200, server.logs());
        await res.body?.cancel();
      } finally {
        await server.stop();
      }
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("start-up: the development server without ENCRYPTION_KEY makes its key beside the database, owner-only, and says so once", async () => {
  const dir = await Deno.makeTempDir({ prefix: "islet-dev-key-" });
  const file = `${dir}/encryption.key`;
  try {
    const dev = await startDevServer({
      env: {
        DATABASE_PATH: `${dir}/dev.db`,
        MAIL_OUTBOX_DIR: `${dir}/outbox`,
        ENCRYPTION_KEY: "",
      },
      // A start that lost its port made the key already: first run again.
      beforeRetry: () => Deno.remove(file).catch(() => {}),
    });
    try {
      const { out } = dev;
      const lines = out.split("\n").filter((l) => l.includes("encryption key"));
      strictEqual(
        lines.join("\n"),
        `Generated a development encryption key in ${file} (no ENCRYPTION_KEY set); production needs ENCRYPTION_KEY.`,
      );
      strictEqual((await Deno.stat(file)).mode! & 0o777, 0o600);
      const key = (await Deno.readTextFile(file)).trim();
      strictEqual(parseKey(key)?.length, 32);
      ok(!out.includes(key), "the key is not printed");
    } finally {
      await dev.stop();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
