/**
 * The app says at start-up where mail goes: the outbox folder (and, from
 * the development server, the address of /dev/mail), or the SMTP server
 * without its password; bad mail settings stop it with a clear message.
 *
 * @module
 */
import { match, ok, strictEqual } from "node:assert/strict";
import { dirname } from "node:path";
import { startDevServer } from "../helpers/dev_server.ts";
import { freePort } from "../helpers/redis.ts";
import { startServer } from "../helpers/server.ts";
import { START_TASK } from "../helpers/server.ts";

const PATH = `${dirname(Deno.execPath())}:${Deno.env.get("PATH") ?? ""}`;

Deno.test("start-up: invalid SMTP_URL and MAIL_FROM are refused, the password not echoed", async () => {
  const dir = await Deno.makeTempDir({ prefix: "islet-mail-startup-" });
  try {
    const out = await new Deno.Command("sh", {
      args: ["-c", `exec ${START_TASK}`],
      env: {
        DATABASE_PATH: `${dir}/t.db`,
        PORT: String(freePort()),
        NO_COLOR: "1",
        PATH,
        SMTP_URL: "https://mailer:hunter2@mail.example",
        MAIL_FROM: "Islet\r\nBcc: eve@example.com",
      },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stderr = new TextDecoder().decode(out.stderr);
    strictEqual(out.code, 1);
    match(stderr, /Invalid configuration \(2 problems\)/);
    match(
      stderr,
      /SMTP_URL must be a URL starting with smtp:\/\/ or smtps:\/\//,
    );
    match(stderr, /MAIL_FROM must be an address or "Name <address>"/);
    ok(!stderr.includes("hunter2"), "the password is not printed");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("start-up: the production server names the outbox folder, or the SMTP host without the password", async () => {
  const dir = await Deno.makeTempDir({ prefix: "islet-mail-startup-" });
  try {
    const outbox = await startServer({
      env: { DATABASE_PATH: `${dir}/a.db`, MAIL_OUTBOX_DIR: `${dir}/outbox` },
    });
    try {
      match(
        outbox.logs(),
        new RegExp(
          `^Mail: written to ${dir}/outbox/ \\(no SMTP_URL\\), not sent; set SMTP_URL to send it$`,
          "m",
        ),
      );
      const res = await fetch(`${outbox.url}/dev/mail`);
      strictEqual(res.status, 404, "no /dev/mail in production");
      await res.body?.cancel();
    } finally {
      await outbox.stop();
    }
    const smtp = await startServer({
      env: {
        DATABASE_PATH: `${dir}/b.db`,
        SMTP_URL: "smtp://islet:s3cret-pw@127.0.0.1:2525",
        MAIL_FROM: "Islet <hello@islet.example>",
      },
    });
    try {
      match(
        smtp.logs(),
        /^Mail: sent through 127\.0\.0\.1:2525 \(SMTP_URL\) from Islet <hello@islet\.example>$/m,
      );
      ok(!smtp.logs().includes("s3cret"), "the password is not printed");
    } finally {
      await smtp.stop();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("start-up: the development server prints where to read mail, and /dev/mail answers there", async () => {
  const dir = await Deno.makeTempDir({ prefix: "islet-mail-dev-" });
  try {
    const dev = await startDevServer({
      env: {
        DATABASE_PATH: `${dir}/dev.db`,
        MAIL_OUTBOX_DIR: `${dir}/outbox`,
      },
      until: /^Mail: .*\n/m,
    });
    try {
      const { out, port } = dev;
      match(
        out,
        new RegExp(
          `^Mail: written to ${dir}/outbox/ \\(no SMTP_URL\\); read it at http://127\\.0\\.0\\.1:${port}/dev/mail$`,
          "m",
        ),
      );
      strictEqual(out.match(/^Mail: /gm)?.length, 1, "said once");
      const res = await fetch(`http://127.0.0.1:${port}/dev/mail`);
      strictEqual(res.status, 200);
      match(await res.text(), /No mail yet/);
    } finally {
      await dev.stop();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
