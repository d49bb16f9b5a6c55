/**
 * Reads a message back from its RFC 5322 text with npm `mailparser`: for
 * `/dev/mail` (the development outbox) and for tests reading what an SMTP
 * server received. Never on a request path in production.
 *
 * @module
 */
import { type AddressObject, simpleParser } from "mailparser";

/** A message as read back. */
export interface ParsedEmail {
  from: string;
  /** The recipient addresses, comma-separated. */
  to: string;
  subject: string;
  date: Date | undefined;
  text: string;
  /** The HTML part, or "" when there is none. */
  html: string;
}

/**
 * Parses `raw` (the bytes or text of a message).
 *
 * @example
 * ```ts
 * const mail = await parseEmail("From: a@b.c\r\nTo: d@e.f\r\nSubject: Hi\r\n\r\nHello\r\n");
 * mail.subject; // "Hi"
 * ```
 */
export async function parseEmail(
  raw: Uint8Array | string,
): Promise<ParsedEmail> {
  const parsed = await simpleParser(
    typeof raw === "string" ? raw : new TextDecoder().decode(raw),
  );
  return {
    from: addresses(parsed.from),
    to: addresses(parsed.to),
    subject: parsed.subject ?? "",
    date: parsed.date,
    text: parsed.text ?? "",
    html: typeof parsed.html === "string" ? parsed.html : "",
  };
}

function addresses(field: AddressObject | AddressObject[] | undefined): string {
  const list = field === undefined
    ? []
    : Array.isArray(field)
    ? field
    : [field];
  return list.flatMap((a) => a.value.map((v) => v.address ?? "")).filter((
    a,
  ) => a !== "").join(", ");
}

/**
 * The absolute http(s) links written in a plain-text part, in order.
 *
 * @example
 * ```ts
 * linksIn("Confirm:\nhttps://islet.example/verify?token=abc\n"); // ["https://islet.example/verify?token=abc"]
 * ```
 */
export function linksIn(text: string): string[] {
  return [...text.matchAll(/https?:\/\/[^\s<>"')]+/g)].map((m) => m[0]);
}
