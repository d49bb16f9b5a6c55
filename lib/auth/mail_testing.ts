/**
 * Test helpers for the actions that send mail: their dependencies over a
 * test database, with mail queued in the real outbox table (so a rolled
 * back transaction queues nothing, as in production) and read back from it.
 *
 * @module
 */
import type { Db, Queryable } from "../db/db.ts";
import { linksIn } from "../email/eml.ts";
import type { Mailer } from "../email/mail.ts";
import { enqueueEmail } from "../email/outbox_table.ts";
import type { SignUpDeps } from "./sign_up.ts";

/** The APP_URL the test links are built on. */
export const TEST_APP_URL = "https://islet.example";

/**
 * Sign-up's (and verification's) dependencies over `db`: mail goes to the
 * outbox table, links start with {@linkcode TEST_APP_URL}.
 *
 * @example
 * ```ts
 * import type { Db } from "../db/db.ts";
 * declare const db: Db;
 * const deps = mailDeps(db);
 * ```
 */
export function mailDeps(db: Db): SignUpDeps {
  const mailer: Mailer = {
    send: async (tx: Queryable, message) => {
      await enqueueEmail(tx, message);
    },
  };
  return { db, mailer, config: { appUrl: new URL(TEST_APP_URL) } };
}

/** A queued message, with the links of its text part. */
export interface QueuedMail {
  to: string;
  kind: string;
  subject: string;
  text: string;
  html: string;
  links: string[];
}

/**
 * Every message in the outbox table, oldest first.
 *
 * @example
 * ```ts
 * import type { Db } from "../db/db.ts";
 * declare const db: Db;
 * const [first] = await queuedMail(db);
 * ```
 */
export async function queuedMail(db: Queryable): Promise<QueuedMail[]> {
  const rows = await db.all(
    "SELECT recipient, kind, subject, text, html FROM email_outbox ORDER BY created_at, id",
  );
  return rows.map((r) => ({
    to: String(r.recipient),
    kind: String(r.kind),
    subject: String(r.subject),
    text: String(r.text),
    html: String(r.html),
    links: linksIn(String(r.text)),
  }));
}
