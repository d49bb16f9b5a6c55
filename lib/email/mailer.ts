/**
 * The app's {@linkcode Mailer}: the outbox table plus a
 * {@linkcode Deliverer} over the transport the config names (SMTP with
 * `SMTP_URL`, else the development outbox folder). Built once by
 * `createServices` as `services.mailer`.
 *
 * @module
 */
import type { Config } from "../config.ts";
import type { Db, Queryable } from "../db/db.ts";
import { Deliverer, type DelivererOptions } from "./deliverer.ts";
import type { EmailMessage, Mailer, MailTransport } from "./mail.ts";
import { enqueueEmail } from "./outbox_table.ts";
import { outboxTransport } from "./transports/outbox.ts";
import { smtpHost, smtpTransport } from "./transports/smtp.ts";

/** The mailer of the services: a {@linkcode Mailer} that can be flushed and closed. */
export interface MailService extends Mailer {
  /** The transport, for the start-up line and /dev/mail. */
  readonly transport: MailTransport;
  /** Delivers what is due now and resolves when done (tests). */
  flush(): Promise<void>;
  /** Stops the deliverer (a pass under way finishes) and closes the transport. */
  close(): Promise<void>;
}

/** Options of {@linkcode createMailer}. */
export interface MailerOptions extends DelivererOptions {
  /** Instead of the configured transport (tests). */
  transport?: MailTransport;
}

// A send inside a transaction is visible only once the caller commits, a
// moment after send returns: one more look then saves waiting for the poll.
const AFTER_COMMIT_MS = 250;

const ONE_ADDRESS = /^[^\s,;<>"()]+@[^\s,;<>"()@]+$/;

/**
 * The mailer for `config` over `db`, its deliverer started.
 *
 * @example
 * ```ts
 * import type { Db } from "../db/db.ts";
 * import { loadConfig } from "../config.ts";
 * declare const db: Db;
 * const mailer = createMailer(loadConfig(), db);
 * await mailer.close();
 * ```
 */
export function createMailer(
  config: Pick<Config, "mail">,
  db: Db,
  options: MailerOptions = {},
): MailService {
  const { transport: given, ...delivery } = options;
  const transport = given ?? transportFor(config);
  const deliverer = new Deliverer(db, transport, config.mail.from, delivery);
  deliverer.start();
  const pending = new Set<ReturnType<typeof setTimeout>>();
  return {
    transport,
    async send(on: Queryable, message: EmailMessage) {
      // One bare address: a list or a display name here is a bug that
      // would send one person's link to several.
      if (!ONE_ADDRESS.test(message.to)) {
        throw new Error("EmailMessage.to must be one bare address");
      }
      await enqueueEmail(on, message);
      deliverer.wake();
      if (on !== db) {
        const timer = setTimeout(() => {
          pending.delete(timer);
          deliverer.wake();
        }, AFTER_COMMIT_MS);
        Deno.unrefTimer(timer);
        pending.add(timer);
      }
    },
    flush: () => deliverer.flush(),
    async close() {
      for (const t of pending) clearTimeout(t);
      pending.clear();
      await deliverer.close();
    },
  };
}

/**
 * The transport the config names: SMTP when `SMTP_URL` is set, else the
 * development outbox folder.
 *
 * @example
 * ```ts
 * import { loadConfig } from "../config.ts";
 * transportFor(loadConfig({})).description; // "outbox (data/outbox)"
 * ```
 */
export function transportFor(config: Pick<Config, "mail">): MailTransport {
  return config.mail.smtpUrl !== undefined
    ? smtpTransport(config.mail.smtpUrl)
    : outboxTransport(config.mail.outboxDir);
}

/**
 * The start-up line saying where mail goes. `devMailUrl` is the address
 * of `/dev/mail` when the app runs in development (the dev server knows
 * its port only once it listens).
 *
 * @example
 * ```ts
 * import { loadConfig } from "../config.ts";
 * mailStartupLine(loadConfig({}), "http://localhost:8000/dev/mail");
 * // "Mail: written to data/outbox/ (no SMTP_URL); read it at http://localhost:8000/dev/mail"
 * ```
 */
export function mailStartupLine(
  config: Pick<Config, "mail">,
  devMailUrl?: string,
): string {
  const { smtpUrl, from, outboxDir } = config.mail;
  if (smtpUrl !== undefined) {
    return `Mail: sent through ${smtpHost(smtpUrl)} (SMTP_URL) from ${from}`;
  }
  const folder = `${outboxDir.replace(/\/+$/, "")}/`;
  return devMailUrl !== undefined
    ? `Mail: written to ${folder} (no SMTP_URL); read it at ${devMailUrl}`
    : `Mail: written to ${folder} (no SMTP_URL), not sent; set SMTP_URL to send it`;
}
