/**
 * The email port: what the rest of the app sees of mail. An action writes
 * a message into the outbox (`Mailer.send`, through the same `Queryable`
 * as the change that caused it, so a rolled-back change sends nothing and
 * a committed one loses nothing); a deliverer hands queued messages to the
 * configured transport in the background and retries failures with
 * backoff. Sending never blocks or fails the request that caused it.
 *
 * Transports (`lib/email/transports/`): the development outbox (`.eml`
 * files under `data/outbox/`, listed at `/dev/mail` in development), SMTP
 * through nodemailer (`SMTP_URL`, `MAIL_FROM`), and a capturing one for
 * tests. Messages come from templates (`lib/email/template.ts`): one
 * source gives the plain-text and the accessible HTML part; links are
 * absolute, built from `APP_URL`.
 *
 * @module
 */
import type { Queryable } from "../db/db.ts";

/** One message, as a template makes it. */
export interface EmailMessage {
  /** Recipient address. */
  to: string;
  subject: string;
  /** The plain-text part. */
  text: string;
  /** The HTML part (same content as `text`). */
  html: string;
  /**
   * What the message is, e.g. `"verify_email"`: logged and recorded
   * instead of the body, which may hold a single-use link.
   */
  kind: string;
}

/** Queues messages for delivery. */
export interface Mailer {
  /**
   * Writes `message` to the outbox through `db` (pass the action's `tx`
   * when there is one) and wakes the deliverer. Rejects only if the write
   * itself fails, never because of the transport.
   *
   * @example
   * ```ts
   * import type { Queryable } from "../db/db.ts";
   * declare const mailer: Mailer;
   * declare const tx: Queryable;
   * await mailer.send(tx, {
   *   to: "ada@example.com",
   *   subject: "Confirm your email address",
   *   text: "…",
   *   html: "<p>…</p>",
   *   kind: "verify_email",
   * });
   * ```
   */
  send(db: Queryable, message: EmailMessage): Promise<void>;
}

/** A message on its way out, with its sender. */
export interface OutgoingEmail extends EmailMessage {
  from: string;
}

/** Where messages are delivered. */
export interface MailTransport {
  /** For logs and the start-up line: "outbox (data/outbox)", "smtp (host:port)". */
  readonly description: string;
  /** Delivers one message; rejects when it was not accepted. */
  deliver(message: OutgoingEmail): Promise<void>;
  close(): Promise<void>;
}
