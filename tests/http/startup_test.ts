/**
 * Start-up failures are one clear message and exit code 1: invalid
 * settings (all listed at once, secrets not echoed) and an unreachable Redis.
 */
import { match, ok, strictEqual } from "node:assert/strict";
import { dirname } from "node:path";
import { freePort } from "../helpers/redis.ts";
import { START_TASK } from "../helpers/server.ts";

async function start(
  env: Record<string, string>,
): Promise<{ code: number; stderr: string }> {
  const dir = await Deno.makeTempDir({ prefix: "islet-startup-" });
  try {
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
