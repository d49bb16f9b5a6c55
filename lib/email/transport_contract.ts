/**
 * The behaviour every {@linkcode MailTransport} must have, written once
 * and run against each (test-only module): what arrives is the message
 * that was sent, both parts intact, headers safe.
 *
 * @module
 */
import assert from "node:assert/strict";
import { linksIn, type ParsedEmail } from "./eml.ts";
import type { MailTransport, OutgoingEmail } from "./mail.ts";
import { renderEmail } from "./template.ts";

/** A message as the far side of a transport got it. */
export interface Arrived extends ParsedEmail {
  /** The RFC 5322 text, when the far side keeps it. */
  raw: string;
}

/**
 * One transport under test, and how to read what it delivered.
 *
 * @example
 * ```ts
 * import { captureTransport } from "./transports/capture.ts";
 * import { composeEmail } from "./compose.ts";
 * import { parseEmail } from "./eml.ts";
 * const subject: TransportSubject = {
 *   open: () => {
 *     const transport = captureTransport();
 *     return Promise.resolve({
 *       transport,
 *       arrived: () => Promise.all(transport.delivered.map(async (m) => {
 *         const raw = await composeEmail(m);
 *         return { ...await parseEmail(raw), raw: new TextDecoder().decode(raw) };
 *       })),
 *       close: () => transport.close(),
 *     });
 *   },
 * };
 * ```
 */
export interface TransportSubject {
  open(): Promise<{
    transport: MailTransport;
    /** Every message that arrived so far (any order). */
    arrived(): Promise<Arrived[]>;
    close(): Promise<void>;
  }>;
}

const FROM = "Islet <no-reply@islet.example>";

function message(to: string, subject: string): OutgoingEmail {
  return {
    from: FROM,
    ...renderEmail({
      to,
      kind: "contract",
      subject,
      heading: "Confirm your email address",
      paragraphs: ["Ünïcödé text & <angle brackets> stay as written."],
      action: {
        label: "Confirm",
        url: "https://islet.example/verify-email?token=abc_DEF-123",
      },
    }),
  };
}

/**
 * Registers the contract's tests for `name`.
 *
 * @example
 * ```ts
 * declare const subject: TransportSubject;
 * transportContract("capture", subject);
 * ```
 */
export function transportContract(
  name: string,
  subject: TransportSubject,
): void {
  const test = (
    what: string,
    fn: (s: Awaited<ReturnType<TransportSubject["open"]>>) => Promise<void>,
  ) =>
    Deno.test(`${name} transport: ${what}`, async () => {
      const s = await subject.open();
      try {
        await fn(s);
      } finally {
        await s.close();
      }
    });

  test("delivers both parts, the sender, the recipient and a non-ASCII subject", async (s) => {
    const sent = message("ada@example.com", "Bienvenue — confirm ✓");
    await s.transport.deliver(sent);
    const [got, ...more] = await s.arrived();
    assert.equal(more.length, 0);
    assert.equal(got.to, "ada@example.com");
    assert.equal(got.from, "no-reply@islet.example");
    assert.equal(got.subject, "Bienvenue — confirm ✓");
    assert.equal(got.text.trim(), sent.text.trim());
    assert.equal(got.html.trim(), sent.html.trim());
    assert.deepEqual(linksIn(got.text), [
      "https://islet.example/verify-email?token=abc_DEF-123",
    ]);
    if (got.raw !== "") {
      assert.match(got.raw, /^Content-Type: multipart\/alternative;/im);
      assert.match(got.raw, /^Date: /m);
      assert.match(got.raw, /^Message-ID: </m);
      // Plain text first, HTML last: clients show the last part they can.
      assert.ok(
        got.raw.indexOf("text/plain") < got.raw.indexOf("text/html"),
      );
    }
  });

  test("a line break in the subject cannot add a header", async (s) => {
    await s.transport.deliver(
      message("ada@example.com", "Hello\r\nBcc: eve@example.com\r\nX-Evil: 1"),
    );
    const [got] = await s.arrived();
    const headers = got.raw.slice(0, got.raw.indexOf("\r\n\r\n"));
    assert.match(headers, /^Subject: /im);
    assert.doesNotMatch(headers, /^Bcc:/im);
    assert.doesNotMatch(headers, /^X-Evil:/im);
    assert.doesNotMatch(got.to, /eve@/);
  });

  test("several messages at once all arrive, each once", async (s) => {
    const to = Array.from({ length: 6 }, (_, i) => `user${i}@example.com`);
    await Promise.all(
      to.map((t, i) => s.transport.deliver(message(t, `Message ${i}`))),
    );
    const got = await s.arrived();
    assert.deepEqual(got.map((m) => m.to).sort(), [...to].sort());
    assert.deepEqual(
      got.map((m) => m.subject).sort(),
      to.map((_, i) => `Message ${i}`).sort(),
    );
  });
}
