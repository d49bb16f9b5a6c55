import assert from "node:assert/strict";
import { freePort } from "../../../tests/helpers/redis.ts";
import { startSmtp } from "../../../tests/helpers/smtp.ts";
import { errorKind } from "../deliverer.ts";
import { smtpHost, smtpTransport } from "./smtp.ts";

const message = (to: string) => ({
  from: "Islet <no-reply@localhost>",
  to,
  subject: "Hello",
  text: "Hello",
  html: "<p>Hello</p>",
  kind: "test",
});

Deno.test("smtp: a server that is not there fails the delivery with a connection error", async () => {
  const smtp = smtpTransport(`smtp://127.0.0.1:${freePort()}`, {
    connectionTimeoutMs: 2_000,
  });
  try {
    const err = await smtp.deliver(message("ada@example.com")).then(
      () => null,
      (e) => e,
    );
    assert.ok(err !== null, "delivery should fail");
    assert.match(errorKind(err), /^(ECONNECTION|ESOCKET)$/);
  } finally {
    await smtp.close();
  }
});

Deno.test("smtp: a refused recipient is a 5xx envelope error, whose kind does not quote the address", async () => {
  const server = await startSmtp({ refuse: (a) => a === "gone@example.com" });
  const smtp = smtpTransport(server.url);
  try {
    const err = await smtp.deliver(message("gone@example.com")).then(
      () => null,
      (e) => e,
    );
    assert.equal(errorKind(err), "EENVELOPE 550");
    await smtp.deliver(message("ada@example.com"));
    assert.deepEqual(server.messages().map((m) => m.to), ["ada@example.com"]);
  } finally {
    await smtp.close();
    await server.stop();
  }
});

Deno.test("smtp: what is printed of the URL holds no credentials", () => {
  const url = "smtps://user:hunter2-secret@mail.example:465";
  assert.equal(smtpHost(url), "mail.example:465");
  const t = smtpTransport(url);
  assert.doesNotMatch(t.description, /hunter2|user/);
  assert.equal(t.description, "smtp (mail.example:465)");
  assert.equal(smtpHost("smtp://mail.example"), "mail.example:25");
});
