/**
 * A real SMTP server (npm `smtp-server`) on a free port, for tests: apps
 * under test get `SMTP_URL=<url>`, send through nodemailer as in
 * production, and the test reads what arrived, parsed (npm `mailparser`),
 * with the links of its text part ready to follow.
 *
 * No TLS and no AUTH (a loopback test server); a test that needs the
 * server down stops it and starts another on the same port.
 *
 * @module
 */
import type { AddressInfo } from "node:net";
import { SMTPServer } from "smtp-server";
import { linksIn, parseEmail } from "../../lib/email/eml.ts";

/** A message the server accepted. */
export interface Received {
  /** The recipient addresses of the envelope (RCPT TO), comma-separated. */
  to: string;
  /** The From header's address. */
  from: string;
  subject: string;
  text: string;
  html: string;
  /** The absolute links of the text part, in order. */
  links: string[];
  /** The message as it came over the wire. */
  raw: string;
}

/** A running test SMTP server. */
export interface TestSmtp {
  /** `smtp://127.0.0.1:<port>` */
  url: string;
  port: number;
  /** Every message accepted so far, oldest first. */
  messages(): Received[];
  /**
   * The first message (already received or still to come) that matches
   * `pred`; rejects after `timeoutMs` (default 10 s).
   */
  waitFor(
    pred: (m: Received) => boolean,
    timeoutMs?: number,
  ): Promise<Received>;
  /** Stops listening and drops open connections. */
  stop(): Promise<void>;
}

/** Options of {@linkcode startSmtp}. */
export interface SmtpServerOptions {
  /** Listen on this port (e.g. to bring a stopped server back); default a free one. */
  port?: number;
  /** Recipients answered `550` at RCPT TO (a permanent refusal). */
  refuse?: (address: string) => boolean;
}

/**
 * Starts a test SMTP server on 127.0.0.1.
 *
 * @example
 * ```ts
 * const smtp = await startSmtp();
 * try {
 *   // start the app with SMTP_URL=smtp.url, make it send…
 *   const mail = await smtp.waitFor((m) => m.to === "ada@example.com");
 *   mail.links[0]; // "http://localhost:8000/verify-email?token=…"
 * } finally {
 *   await smtp.stop();
 * }
 * ```
 */
export async function startSmtp(
  options: SmtpServerOptions = {},
): Promise<TestSmtp> {
  const received: Received[] = [];
  const waiters = new Set<() => void>();
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS", "AUTH"],
    logger: false,
    // Pooled client connections are dropped at stop() instead of waited for.
    closeTimeout: 100,
    onRcptTo(address, _session, callback) {
      if (options.refuse?.(address.address)) {
        const err = Object.assign(new Error("Mailbox unavailable"), {
          responseCode: 550,
        });
        callback(err);
      } else callback();
    },
    onData(stream, session, callback) {
      const chunks: Uint8Array[] = [];
      stream.on("data", (c: Uint8Array) => chunks.push(c));
      stream.on("error", callback);
      stream.on("end", async () => {
        try {
          const raw = new TextDecoder().decode(concat(chunks));
          const mail = await parseEmail(raw);
          received.push({
            to: session.envelope.rcptTo.map((r) => r.address).join(", "),
            from: mail.from,
            subject: mail.subject,
            text: mail.text,
            html: mail.html,
            links: linksIn(mail.text),
            raw,
          });
          for (const w of waiters) w();
          callback();
        } catch (err) {
          callback(err as Error);
        }
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  // A client that goes away mid-session is not the test's failure.
  server.on("error", () => {});
  const port = (server.server.address() as AddressInfo).port;

  let stopped: Promise<void> | undefined;
  return {
    url: `smtp://127.0.0.1:${port}`,
    port,
    messages: () => [...received],
    waitFor(pred, timeoutMs = 10_000) {
      return new Promise<Received>((resolve, reject) => {
        const check = () => {
          const found = received.find(pred);
          if (found === undefined) return;
          cleanup();
          resolve(found);
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(
            new Error(
              `no matching mail within ${timeoutMs} ms (${received.length} received)`,
            ),
          );
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    },
    stop() {
      stopped ??= new Promise<void>((resolve) => server.close(() => resolve()));
      return stopped;
    },
  };
}

function concat(chunks: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}
