import assert from "node:assert/strict";
import { parseEmail } from "../eml.ts";
import { newOutboxId, OUTBOX_ID_RE, outboxTransport } from "./outbox.ts";

const message = {
  from: "Islet <no-reply@localhost>",
  to: "ada@example.com",
  subject: "Reset your password",
  text: "https://islet.example/reset?token=secret",
  html: "<p>https://islet.example/reset?token=secret</p>",
  kind: "password_reset",
};

Deno.test("the outbox folder is 0700 and each message a 0600 .eml file, even under a lax umask", async () => {
  const dir = await Deno.makeTempDir({ prefix: "islet-outbox-" });
  const previous = Deno.umask(0o000);
  try {
    const folder = `${dir}/nested/outbox`;
    const outbox = outboxTransport(folder);
    await outbox.deliver(message);
    await outbox.deliver(message);
    assert.equal((await Deno.stat(folder)).mode! & 0o777, 0o700);
    const names = [];
    for await (const e of Deno.readDir(folder)) names.push(e.name);
    assert.equal(names.length, 2);
    for (const name of names) {
      assert.match(name, /\.eml$/);
      assert.match(name.slice(0, -4), OUTBOX_ID_RE);
      const path = `${folder}/${name}`;
      assert.equal((await Deno.stat(path)).mode! & 0o777, 0o600);
      const raw = await Deno.readFile(path);
      // RFC 5322: CRLF line ends throughout.
      assert.doesNotMatch(new TextDecoder().decode(raw), /[^\r]\n/);
      assert.equal((await parseEmail(raw)).subject, "Reset your password");
    }
  } finally {
    Deno.umask(previous);
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("an existing outbox folder is narrowed to 0700", async () => {
  const dir = await Deno.makeTempDir({ prefix: "islet-outbox-" });
  try {
    await Deno.chmod(dir, 0o755);
    await outboxTransport(dir).deliver(message);
    assert.equal((await Deno.stat(dir)).mode! & 0o777, 0o700);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("outbox ids sort by time and do not repeat", () => {
  const early = newOutboxId(new Date("2030-01-02T03:04:05.006Z"));
  const late = newOutboxId(new Date("2030-01-02T03:04:05.007Z"));
  assert.match(early, /^20300102T030405006Z-[0-9a-f]{12}$/);
  assert.ok(early < late);
  const many = new Set(
    Array.from({ length: 200 }, () => newOutboxId(new Date(0))),
  );
  assert.equal(many.size, 200);
});
