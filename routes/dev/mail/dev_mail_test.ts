import assert from "node:assert/strict";
import { buildApp } from "../../../tests/helpers/app.ts";
import { renderEmail } from "../../../lib/email/template.ts";
import { ENGINES } from "../../../lib/db/testing.ts";

const message = renderEmail({
  to: "ada@example.com",
  kind: "verify_email",
  subject: "Confirm <your> address",
  heading: "Confirm your email address",
  paragraphs: ['<script>alert("x")</script> stays text'],
  action: {
    label: "Confirm",
    url: "http://localhost:8000/verify-email?token=abc",
  },
});

for (const engine of ENGINES) {
  Deno.test(`/dev/mail lists and shows the outbox in development [${engine}]`, async () => {
    const app = await buildApp({ engine, mode: "development" });
    try {
      const empty = await app.fetch("/dev/mail");
      assert.equal(empty.status, 200);
      assert.match(await empty.text(), /No mail yet/);

      const { services } = app;
      await services.db.transaction((tx) =>
        services.mailer.send(tx, { ...message, subject: "First" })
      );
      await services.mailer.send(services.db, message);
      await services.mailer.flush();

      const list = await app.fetch("/dev/mail");
      assert.equal(list.status, 200);
      assert.equal(list.headers.get("cache-control"), "no-store");
      assert.match(
        list.headers.get("content-security-policy") ?? "",
        /default-src 'self'/,
      );
      const html = await list.text();
      const ids = [...html.matchAll(/href="\/dev\/mail\/([^"]+)"/g)].map((m) =>
        m[1]
      );
      assert.equal(ids.length, 2);
      // Newest first.
      const newest = html.search(/Confirm &lt;your(&gt;|>) address/);
      assert.ok(newest > 0 && newest < html.indexOf("First"));
      assert.match(html, /To ada@example\.com/);

      const one = await app.fetch(`/dev/mail/${ids[0]}`);
      assert.equal(one.status, 200);
      const body = await one.text();
      assert.match(body, /<h1[^>]*>Confirm &lt;your(&gt;|>) address<\/h1>/);
      assert.match(body, /http:\/\/localhost:8000\/verify-email\?token=abc/);
      // The HTML part only inside a sandboxed frame, escaped into srcdoc.
      assert.match(body, /<iframe[^>]*sandbox=""/);
      assert.match(body, /srcdoc="[^"]*&amp;lt;script&amp;gt;alert/);
      assert.doesNotMatch(body, /<script>alert/);

      for (
        const bad of [
          "nope",
          "..%2F..%2Fetc%2Fpasswd",
          "20300102T030405006Z-0123456789ab",
        ]
      ) {
        const res = await app.fetch(`/dev/mail/${bad}`);
        assert.equal(res.status, 404, bad);
        await res.body?.cancel();
      }
    } finally {
      await app.stop();
    }
  });
}

Deno.test("/dev/mail is a 404 outside development, even with mail in the outbox", async () => {
  const app = await buildApp();
  try {
    await app.services.mailer.send(app.services.db, message);
    await app.services.mailer.flush();
    const dir = app.config.mail.outboxDir;
    const files = [...Deno.readDirSync(dir)].map((e) => e.name);
    assert.equal(files.length, 1);
    for (
      const path of ["/dev/mail", `/dev/mail/${files[0].replace(/\.eml$/, "")}`]
    ) {
      const res = await app.fetch(path);
      assert.equal(res.status, 404, path);
      assert.doesNotMatch(await res.text(), /Confirm|ada@example/);
    }
  } finally {
    await app.stop();
  }
});
