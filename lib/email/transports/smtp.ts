/**
 * SMTP through npm `nodemailer`: a small pool of connections kept open
 * between messages, with timeouts so a silent server fails the attempt
 * (the deliverer retries it later) instead of holding it forever.
 *
 * `SMTP_URL` is `smtp://user:password@host:port` (STARTTLS when the server
 * offers it) or `smtps://…` (TLS from the first byte, usually port 465);
 * nodemailer's URL options (e.g. `?requireTLS=true`) are accepted. It is a
 * secret: only the host and port are ever printed.
 *
 * @module
 */
import nodemailer from "nodemailer";
import { mailOptions } from "../compose.ts";
import type { MailTransport, OutgoingEmail } from "../mail.ts";

/** Timeouts and pool size; the defaults suit a relay or a mail API's SMTP door. */
export interface SmtpOptions {
  /** Connections kept open at most. */
  maxConnections?: number;
  /** To open the TCP (and TLS) connection. */
  connectionTimeoutMs?: number;
  /** For the server's greeting once connected. */
  greetingTimeoutMs?: number;
  /** Of silence on an open connection. */
  socketTimeoutMs?: number;
}

/**
 * A transport sending through the server named by `url`.
 *
 * @example
 * ```ts
 * const smtp = smtpTransport("smtp://127.0.0.1:2525");
 * smtp.description; // "smtp (127.0.0.1:2525)"
 * await smtp.close();
 * ```
 */
export function smtpTransport(
  url: string,
  options: SmtpOptions = {},
): MailTransport {
  const transporter = nodemailer.createTransport(
    {
      url,
      pool: true,
      maxConnections: options.maxConnections ?? 3,
      connectionTimeout: options.connectionTimeoutMs ?? 10_000,
      greetingTimeout: options.greetingTimeoutMs ?? 10_000,
      socketTimeout: options.socketTimeoutMs ?? 30_000,
      // nodemailer logs nothing unless asked; keep it so (its debug output
      // holds the message and the AUTH exchange).
      logger: false,
      debug: false,
    } as Parameters<typeof nodemailer.createTransport>[0],
  );
  return {
    description: `smtp (${smtpHost(url)})`,
    async deliver(message: OutgoingEmail) {
      await transporter.sendMail(mailOptions(message));
    },
    close() {
      transporter.close();
      return Promise.resolve();
    },
  };
}

/**
 * `host:port` of an SMTP URL, without the credentials: what may be printed.
 *
 * @example
 * ```ts
 * smtpHost("smtps://user:secret@mail.example:465"); // "mail.example:465"
 * smtpHost("smtp://mail.example"); // "mail.example:25"
 * ```
 */
export function smtpHost(url: string): string {
  const u = new URL(url);
  const port = u.port !== "" ? u.port : u.protocol === "smtps:" ? "465" : "25";
  return `${u.hostname}:${port}`;
}
