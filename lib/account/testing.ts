/**
 * Test helpers for the account actions: a mailer that queues into the
 * real outbox table (so a test sees what a transaction committed) and the
 * outbox's rows.
 *
 * @module
 */
import type { Queryable } from "../db/db.ts";
import type { Mailer } from "../email/mail.ts";
import type { NoticeDeps } from "../email/notices.ts";
import { enqueueEmail } from "../email/outbox_table.ts";

/**
 * Notice dependencies over the outbox table, with APP_URL
 * `https://islet.test`.
 *
 * @example
 * ```ts
 * const deps = outboxNoticeDeps();
 * deps.config.appUrl.origin; // "https://islet.test"
 * ```
 */
export function outboxNoticeDeps(): NoticeDeps {
  const mailer: Mailer = {
    async send(db, message) {
      await enqueueEmail(db, message);
    },
  };
  return { mailer, config: { appUrl: new URL("https://islet.test") } };
}

/** A queued message, as a test reads it. */
export interface Queued {
  to: string;
  subject: string;
  text: string;
  kind: string;
}

/**
 * Every message in the outbox, oldest first.
 *
 * @example
 * ```ts
 * import type { Queryable } from "../db/db.ts";
 * declare const db: Queryable;
 * const [first] = await queuedMail(db);
 * ```
 */
export async function queuedMail(db: Queryable): Promise<Queued[]> {
  const rows = await db.all(
    "SELECT recipient, subject, text, kind FROM email_outbox ORDER BY created_at, id",
  );
  return rows.map((r) => ({
    to: String(r.recipient),
    subject: String(r.subject),
    text: String(r.text),
    kind: String(r.kind),
  }));
}
