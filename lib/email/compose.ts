/**
 * Turns a message into RFC 5322 text (multipart/alternative: the plain
 * text first, the HTML part second, as clients expect the preferred part
 * last), with nodemailer's composer rather than hand-written MIME: it
 * encodes non-ASCII headers, folds long lines, picks transfer encodings
 * and refuses line breaks in headers, which is where hand-written MIME
 * goes wrong.
 *
 * @module
 */
import nodemailer from "nodemailer";
import type { OutgoingEmail } from "./mail.ts";

// Composes only: the stream transport hands the finished message back.
const composer = nodemailer.createTransport({
  streamTransport: true,
  buffer: true,
  newline: "windows",
});

/**
 * The message as nodemailer sends it: the options both the SMTP transport
 * and the composer take.
 *
 * @example
 * ```ts
 * const options = mailOptions({
 *   from: "Islet <no-reply@localhost>",
 *   to: "ada@example.com",
 *   subject: "Hello",
 *   text: "Hello",
 *   html: "<p>Hello</p>",
 *   kind: "test",
 * });
 * options.subject; // "Hello"
 * ```
 */
export function mailOptions(message: OutgoingEmail): {
  from: string;
  to: string;
  subject: string;
  text: string;
  html: string;
  headers: Record<string, string>;
  disableFileAccess: boolean;
  disableUrlAccess: boolean;
} {
  return {
    from: message.from,
    to: message.to,
    subject: message.subject,
    text: message.text,
    html: message.html,
    // Mail sent by an app on the person's behalf: auto-responders should
    // not answer it (RFC 3834).
    headers: { "Auto-Submitted": "auto-generated" },
    // The HTML is ours, but nodemailer would otherwise fetch or read
    // anything a message names as an attachment or embedded resource.
    disableFileAccess: true,
    disableUrlAccess: true,
  };
}

/**
 * The message as RFC 5322 bytes (CRLF line ends).
 *
 * @example
 * ```ts
 * const raw = await composeEmail({
 *   from: "Islet <no-reply@localhost>",
 *   to: "ada@example.com",
 *   subject: "Hello",
 *   text: "Hello",
 *   html: "<p>Hello</p>",
 *   kind: "test",
 * });
 * new TextDecoder().decode(raw).includes("multipart/alternative"); // true
 * ```
 */
export async function composeEmail(
  message: OutgoingEmail,
): Promise<Uint8Array> {
  const info = await composer.sendMail(mailOptions(message));
  return new Uint8Array(info.message as Uint8Array);
}
