/**
 * Start-up on a PostgreSQL that cannot be reached: the built server, run
 * as `deno task start` runs it, prints one clear message that names the
 * database without its password and exits 1, promptly.
 *
 * @module
 */
import { match, ok, strictEqual } from "node:assert/strict";
import { dirname } from "node:path";
import { startTcpProxy } from "../../lib/cache/tcp_proxy.ts";
import { freePort } from "../helpers/redis.ts";
import { START_TASK } from "../helpers/server.ts";

const PASSWORD = "s3cret-pw";

async function start(
  databaseUrl: string,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = await new Deno.Command("sh", {
    args: ["-c", `exec ${START_TASK}`],
    env: {
      DATABASE_URL: databaseUrl,
      // Not the default 5 s: the test waits for its deadline.
      DATABASE_STATEMENT_TIMEOUT_MS: "500",
      PORT: String(freePort()),
      NO_COLOR: "1",
      PATH: `${dirname(Deno.execPath())}:${Deno.env.get("PATH") ?? ""}`,
    },
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(30_000),
  }).output();
  const text = new TextDecoder();
  return {
    code: out.code,
    stdout: text.decode(out.stdout),
    stderr: text.decode(out.stderr),
  };
}

function assertOneClearMessage(
  out: { code: number; stdout: string; stderr: string },
  port: number,
  reason: RegExp,
): void {
  strictEqual(out.code, 1, out.stderr);
  const all = out.stdout + out.stderr;
  ok(!all.includes(PASSWORD), `the password is printed:\n${all}`);
  ok(!/\n\s+at /.test(all), `a stack trace:\n${all}`);
  const lines = out.stderr.trim().split("\n");
  strictEqual(lines[0], "Islet cannot start.");
  strictEqual(lines.length, 2, `one message:\n${out.stderr}`);
  match(
    lines[1],
    new RegExp(
      `^PostgreSQL at postgres://postgres:\\*\\*\\*@127\\.0\\.0\\.1:${port}/x ${reason.source}`,
    ),
  );
  strictEqual(out.stdout.trim(), "", "nothing on stdout");
}

Deno.test("start-up: a DATABASE_URL nobody listens on is one message and exit 1, password hidden", async () => {
  const port = freePort();
  const out = await start(
    `postgres://postgres:${PASSWORD}@127.0.0.1:${port}/x`,
  );
  assertOneClearMessage(out, port, /is unavailable: connection refused$/);
});

Deno.test("start-up: a DATABASE_URL that accepts and drops connections fails by its deadline, not a hang", async () => {
  // A port mapping in front of a database that is down: it accepts, then
  // closes, which the driver would retry for ever.
  const proxy = startTcpProxy(freePort());
  const port = Number(new URL(proxy.url).port);
  try {
    const out = await start(
      `postgres://postgres:${PASSWORD}@127.0.0.1:${port}/x`,
    );
    // Either the write fails (a broken pipe) or the deadline passes first.
    assertOneClearMessage(
      out,
      port,
      /(is unavailable: .+|did not answer within \d+ ms)$/,
    );
  } finally {
    await proxy.close();
  }
});
