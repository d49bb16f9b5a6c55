import assert from "node:assert/strict";
import type { Db } from "../db/db.ts";
import { openPostgres } from "../db/postgres.ts";
import { openSqlite } from "../db/sqlite.ts";
import { dbTest } from "../db/testing.ts";
import { startSmtp } from "../../tests/helpers/smtp.ts";
import { backoffMs, Deliverer, errorKind } from "./deliverer.ts";
import type { EmailMessage } from "./mail.ts";
import { enqueueEmail } from "./outbox_table.ts";
import { captureTransport } from "./transports/capture.ts";
import { smtpTransport } from "./transports/smtp.ts";

const FROM = "Islet <no-reply@localhost>";
const SECRET_LINK = "https://islet.example/reset?token=SINGLE-USE-abc123";

function message(to: string, subject = "Reset your password"): EmailMessage {
  return {
    to,
    subject,
    text: `Reset it here:\n${SECRET_LINK}\n`,
    html: `<p><a href="${SECRET_LINK}">Reset</a></p>`,
    kind: "password_reset",
  };
}

async function rows(db: Db) {
  return await db.all<
    {
      id: string;
      attempts: number;
      next_attempt_at: number;
      claimed_until: number;
      last_error: string | null;
    }
  >(
    "SELECT id, attempts, next_attempt_at, claimed_until, last_error FROM email_outbox ORDER BY created_at",
  );
}

/** Polls `cond` until it holds: events, not sleeps of a guessed length. */
async function until(
  cond: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 15_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!await cond()) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

Deno.test("backoff doubles from 30 s and stops growing at 6 h", () => {
  assert.deepEqual(
    [1, 2, 3, 4].map((n) => backoffMs(n)),
    [30_000, 60_000, 120_000, 240_000],
  );
  assert.equal(backoffMs(10), 512 * 30_000);
  assert.equal(backoffMs(11), 6 * 3600_000);
  assert.equal(backoffMs(1_000), 6 * 3600_000);
});

Deno.test("an error's kind is its code and reply code, never its text", () => {
  const err = Object.assign(
    new Error("550 5.1.1 <ada@example.com>: Recipient address rejected"),
    { code: "EENVELOPE", responseCode: 550 },
  );
  assert.equal(errorKind(err), "EENVELOPE 550");
  assert.equal(errorKind(new TypeError("ada@example.com")), "TypeError");
  assert.equal(errorKind("ada@example.com"), "Error");
  assert.equal(
    errorKind(Object.assign(new Error("x"), { code: "a@b.c" })),
    "Error",
  );
});

dbTest(
  "failures are retried with exponential backoff, then given up after a day, logged without body or address",
  async (db) => {
    let clock = 1_000_000;
    const logs: string[] = [];
    const transport = captureTransport();
    transport.failWith = Object.assign(
      new Error(`cannot reach for ${SECRET_LINK}`),
      {
        code: "ECONNECTION",
      },
    );
    const deliverer = new Deliverer(db, transport, FROM, {
      now: () => clock,
      log: (l) => logs.push(l),
    });
    try {
      await enqueueEmail(db, message("ada@example.com"), clock);
      const created = clock;
      await deliverer.flush();
      let [row] = await rows(db);
      assert.equal(row.attempts, 1);
      assert.equal(row.last_error, "ECONNECTION");
      assert.equal(row.claimed_until, 0);
      assert.equal(row.next_attempt_at, clock + 30_000);

      // Not due yet: nothing is attempted.
      clock += 29_999;
      await deliverer.flush();
      assert.equal((await rows(db))[0].attempts, 1);

      const delays: number[] = [30_000];
      for (let n = 2; n <= 6; n++) {
        clock = (await rows(db))[0].next_attempt_at;
        await deliverer.flush();
        [row] = await rows(db);
        assert.equal(row.attempts, n);
        delays.push(row.next_attempt_at - clock);
      }
      assert.deepEqual(delays, [
        30_000,
        60_000,
        120_000,
        240_000,
        480_000,
        960_000,
      ]);

      // Keep failing until the next attempt would fall past a day.
      let attempts = 6;
      while ((await rows(db)).length === 1) {
        clock = (await rows(db))[0].next_attempt_at;
        assert.ok(clock - created <= 24 * 3600_000, "no attempt after a day");
        await deliverer.flush();
        attempts++;
      }
      assert.ok(attempts > 8 && attempts < 20, `${attempts} attempts`);
      assert.match(logs.at(-1)!, /given up after \d+ attempts/);
      assert.match(
        logs[0],
        /\(password_reset\) not delivered on attempt 1: ECONNECTION; next attempt in 30 s/,
      );
      assert.equal(transport.delivered.length, 0);
      for (const line of logs) {
        assert.doesNotMatch(line, /SINGLE-USE|token|ada@example\.com|Reset/);
      }
    } finally {
      await deliverer.close();
    }
  },
);

dbTest(
  "a message the server refuses for good is dropped at once and logged",
  async (db) => {
    const smtp = await startSmtp({ refuse: (a) => a === "gone@example.com" });
    const logs: string[] = [];
    const deliverer = new Deliverer(db, smtpTransport(smtp.url), FROM, {
      log: (l) => logs.push(l),
    });
    try {
      await enqueueEmail(db, message("gone@example.com"));
      await enqueueEmail(db, message("ada@example.com"));
      await deliverer.flush();
      assert.deepEqual(await rows(db), []);
      assert.deepEqual(smtp.messages().map((m) => m.to), ["ada@example.com"]);
      assert.equal(logs.length, 1);
      assert.match(logs[0], /EENVELOPE 550; refused for good, dropped/);
      assert.doesNotMatch(logs[0], /gone@|SINGLE-USE/);
    } finally {
      await deliverer.close();
      await smtp.stop();
    }
  },
);

dbTest(
  "SMTP server down: the message is retried with backoff and delivered once it is back",
  async (db) => {
    const first = await startSmtp();
    const port = first.port;
    await first.stop();
    const logs: string[] = [];
    // The password must not reach a log either.
    const url = `smtp://islet:pa55-w0rd-secret@127.0.0.1:${port}`;
    const deliverer = new Deliverer(
      db,
      smtpTransport(url, { connectionTimeoutMs: 2_000 }),
      FROM,
      {
        pollMs: 50,
        retryBaseMs: 100,
        maxBackoffMs: 400,
        log: (l) => logs.push(l),
      },
    );
    let smtp: Awaited<ReturnType<typeof startSmtp>> | undefined;
    try {
      deliverer.start();
      await enqueueEmail(db, message("ada@example.com"));
      deliverer.wake();
      await until(
        async () => (await rows(db))[0]?.attempts >= 3,
        "three failed attempts",
      );
      const [row] = await rows(db);
      assert.match(row.last_error ?? "", /^(ECONNECTION|ESOCKET)$/);
      // Backoff: the delays reported grow (100 ms, 200 ms, 400 ms → 0 s in
      // whole seconds, so read them from the attempts' order instead).
      assert.ok(logs.length >= 2);
      smtp = await startSmtp({ port });
      const got = await smtp.waitFor((m) => m.to === "ada@example.com");
      assert.deepEqual(got.links, [SECRET_LINK]);
      await until(async () => (await rows(db)).length === 0, "row deleted");
      assert.equal(smtp.messages().length, 1);
      for (const line of logs) {
        assert.doesNotMatch(line, /pa55|secret|SINGLE-USE|ada@example/);
      }
    } finally {
      await deliverer.close();
      await smtp?.stop();
    }
  },
);

dbTest(
  "two deliverers on one database deliver each message exactly once",
  async (db, location) => {
    const other = db.engine === "sqlite"
      ? openSqlite(location)
      : await openPostgres(location, { poolSize: 4 });
    const smtp = await startSmtp();
    const deliverers = [db, other].map((d) =>
      new Deliverer(d, smtpTransport(smtp.url), FROM, { pollMs: 20, batch: 3 })
    );
    try {
      const count = 30;
      for (let i = 0; i < count; i++) {
        await enqueueEmail(db, message(`user${i}@example.com`, `Message ${i}`));
      }
      for (const d of deliverers) d.start();
      await until(() => smtp.messages().length >= count, `${count} messages`);
      await Promise.all(deliverers.map((d) => d.flush()));
      const subjects = smtp.messages().map((m) => m.subject).sort();
      assert.deepEqual(
        subjects,
        Array.from({ length: count }, (_, i) => `Message ${i}`).sort(),
      );
      assert.deepEqual(await rows(db), []);
    } finally {
      for (const d of deliverers) await d.close();
      await other.close();
      await smtp.stop();
    }
  },
);
