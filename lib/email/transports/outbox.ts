/**
 * The development outbox: each message is written as one `.eml` file
 * (RFC 5322, openable by any mail client) under a folder, `data/outbox/`
 * by default, and listed at `/dev/mail` in development. Nothing leaves the
 * machine. Files are readable by their owner only (0600, folder 0700):
 * they hold single-use links.
 *
 * @module
 */
import * as path from "node:path";
import { composeEmail } from "../compose.ts";
import type { MailTransport, OutgoingEmail } from "../mail.ts";

/** The name of an outbox file without `.eml`: sortable by time, unguessable enough. */
export const OUTBOX_ID_RE = /^\d{8}T\d{9}Z-[0-9a-f]{12}$/;

/**
 * A transport writing into `dir` (created, 0700, on first delivery).
 *
 * @example
 * ```ts
 * const outbox = outboxTransport("data/outbox");
 * await outbox.deliver({
 *   from: "Islet <no-reply@localhost>",
 *   to: "ada@example.com",
 *   subject: "Hello",
 *   text: "Hello",
 *   html: "<p>Hello</p>",
 *   kind: "test",
 * });
 * ```
 */
export function outboxTransport(dir: string): MailTransport {
  return {
    description: `outbox (${dir})`,
    async deliver(message: OutgoingEmail) {
      const raw = await composeEmail(message);
      await Deno.mkdir(dir, { recursive: true, mode: 0o700 });
      // mkdir's mode is filtered by the umask and leaves an existing
      // folder as it was.
      await Deno.chmod(dir, 0o700);
      const file = path.join(dir, `${newOutboxId()}.eml`);
      // Written under a temporary name and renamed, so /dev/mail never
      // lists a half-written file.
      const tmp = `${file}.tmp`;
      await Deno.writeFile(tmp, raw, { mode: 0o600, createNew: true });
      await Deno.chmod(tmp, 0o600);
      await Deno.rename(tmp, file);
    },
    async close() {},
  };
}

/**
 * A new file id: the UTC time to the millisecond, then random hex.
 *
 * @example
 * ```ts
 * OUTBOX_ID_RE.test(newOutboxId()); // true
 * ```
 */
export function newOutboxId(now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:.]/g, "");
  const random = Array.from(
    crypto.getRandomValues(new Uint8Array(6)),
    (b) => b.toString(16).padStart(2, "0"),
  ).join("");
  return `${stamp}-${random}`;
}
