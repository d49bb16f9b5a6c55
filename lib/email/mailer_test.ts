import assert from "node:assert/strict";
import { loadConfig } from "../config.ts";
import { dbTest } from "../db/testing.ts";
import type { EmailMessage } from "./mail.ts";
import { createMailer, mailStartupLine, transportFor } from "./mailer.ts";
import { captureTransport } from "./transports/capture.ts";

const config = loadConfig({ MAIL_FROM: "Islet <no-reply@islet.example>" });

function message(subject: string): EmailMessage {
  return {
    to: "ada@example.com",
    subject,
    text: "https://islet.example/verify?token=abc",
    html: '<p><a href="https://islet.example/verify?token=abc">Verify</a></p>',
    kind: "verify_email",
  };
}

async function until(cond: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

dbTest(
  "a message sent in a rolled-back transaction is never delivered",
  async (db) => {
    const transport = captureTransport();
    const mailer = createMailer(config, db, { transport, pollMs: 20 });
    try {
      await assert.rejects(
        db.transaction(async (tx) => {
          await mailer.send(tx, message("rolled back"));
          throw new Error("the action failed after queueing its mail");
        }),
        /the action failed/,
      );
      await mailer.send(db, message("sent after"));
      await until(() => transport.delivered.length === 1, "the later message");
      await mailer.flush();
      assert.deepEqual(transport.delivered.map((m) => m.subject), [
        "sent after",
      ]);
      const left = await db.get<{ n: number }>(
        "SELECT count(*) AS n FROM email_outbox",
      );
      assert.equal(Number(left?.n), 0);
    } finally {
      await mailer.close();
    }
  },
);

dbTest(
  "mail sent in a committed transaction goes out soon after the commit, without waiting for the poll",
  async (db) => {
    const transport = captureTransport();
    // A poll far away: only the wake-ups can deliver in time.
    const mailer = createMailer(config, db, { transport, pollMs: 600_000 });
    try {
      await db.transaction(async (tx) => {
        await mailer.send(tx, message("in a transaction"));
      });
      await until(() => transport.delivered.length === 1, "the message");
      await mailer.send(db, message("outside"));
      await until(() => transport.delivered.length === 2, "the second");
      assert.deepEqual(transport.delivered.map((m) => [m.subject, m.from]), [
        ["in a transaction", "Islet <no-reply@islet.example>"],
        ["outside", "Islet <no-reply@islet.example>"],
      ]);
    } finally {
      await mailer.close();
    }
  },
);

dbTest(
  "send does not fail when the transport does: the message waits in the table",
  async (db) => {
    const transport = captureTransport();
    transport.failWith = Object.assign(new Error("down"), {
      code: "ECONNECTION",
    });
    const mailer = createMailer(config, db, {
      transport,
      pollMs: 600_000,
      log: () => {},
    });
    try {
      await mailer.send(db, message("later"));
      await mailer.flush();
      const row = await db.get<{ attempts: number; last_error: string }>(
        "SELECT attempts, last_error FROM email_outbox",
      );
      assert.equal(row?.attempts, 1);
      assert.equal(row?.last_error, "ECONNECTION");
    } finally {
      await mailer.close();
    }
  },
);

Deno.test("the configured transport: SMTP with SMTP_URL, else the outbox folder", async () => {
  const outbox = transportFor(loadConfig({ MAIL_OUTBOX_DIR: "/tmp/x/outbox" }));
  assert.equal(outbox.description, "outbox (/tmp/x/outbox)");
  const smtp = transportFor(
    loadConfig({ SMTP_URL: "smtps://u:secret-pw@mail.example:465" }),
  );
  assert.equal(smtp.description, "smtp (mail.example:465)");
  await smtp.close();
});

Deno.test("the start-up line says where mail goes, without the SMTP password", () => {
  assert.equal(
    mailStartupLine(loadConfig({}), "http://localhost:8001/dev/mail"),
    "Mail: written to data/outbox/ (no SMTP_URL); read it at http://localhost:8001/dev/mail",
  );
  assert.equal(
    mailStartupLine(loadConfig({ MAIL_OUTBOX_DIR: "/srv/islet/outbox/" })),
    "Mail: written to /srv/islet/outbox/ (no SMTP_URL), not sent; set SMTP_URL to send it",
  );
  const line = mailStartupLine(
    loadConfig({
      SMTP_URL: "smtp://islet:secret-pw@mail.example:587",
      MAIL_FROM: "Islet <hello@islet.example>",
    }),
  );
  assert.equal(
    line,
    "Mail: sent through mail.example:587 (SMTP_URL) from Islet <hello@islet.example>",
  );
});

dbTest("send takes one bare address and nothing else", async (db) => {
  const transport = captureTransport();
  const mailer = createMailer(config, db, { transport, pollMs: 600_000 });
  try {
    for (
      const to of [
        "ada@example.com, eve@example.com",
        "Ada <ada@example.com>",
        "ada@example.com\r\nBcc: eve@example.com",
        "",
      ]
    ) {
      await assert.rejects(
        mailer.send(db, { ...message("x"), to }),
        /one bare address/,
        to,
      );
    }
    const n = await db.get<{ n: number }>(
      "SELECT count(*) AS n FROM email_outbox",
    );
    assert.equal(Number(n?.n), 0);
  } finally {
    await mailer.close();
  }
});
