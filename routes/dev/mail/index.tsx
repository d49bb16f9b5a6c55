import { HttpError, page } from "fresh";
import { Head } from "fresh/runtime";
import { listOutbox, type OutboxEntry } from "../../../lib/email/dev_outbox.ts";
import { formatUtcDateTime } from "../../../lib/web/date_time.ts";
import { define } from "../../../utils.ts";

interface Data {
  messages: OutboxEntry[];
  folder: string;
  smtp: boolean;
}

/**
 * The development outbox, newest first: the mail the app would have sent.
 * Only when the app runs in development (`deno task dev`); a production
 * server answers 404, as for any unknown page, since the messages hold
 * single-use links.
 */
export const handler = define.handlers<Data>({
  async GET(ctx) {
    if (ctx.config.mode !== "development") throw new HttpError(404);
    const { mail } = ctx.state.services.config;
    return page({
      messages: await listOutbox(mail.outboxDir),
      folder: mail.outboxDir,
      smtp: mail.smtpUrl !== undefined,
    }, { headers: { "cache-control": "no-store" } });
  },
});

export default define.page<typeof handler>(function DevMail({ data }) {
  const { messages, folder, smtp } = data;
  return (
    <section class="mx-auto max-w-3xl px-4 py-12 sm:py-16">
      <Head>
        <title>Development mail · Islet</title>
      </Head>
      <h1 class="text-3xl font-bold">Development mail</h1>
      <p class="mt-4 text-slate-700 dark:text-slate-300">
        {smtp
          ? `SMTP_URL is set, so new mail goes to the SMTP server; this page lists only what is left in ${folder}/.`
          : `Mail is not sent while SMTP_URL is unset: each message is written to ${folder}/ and listed here, newest first.`}
      </p>
      {messages.length === 0
        ? <p class="mt-8" data-testid="dev-mail-empty">No mail yet.</p>
        : (
          <ul class="mt-8 divide-y divide-slate-200 border-y border-slate-200 dark:divide-slate-800 dark:border-slate-800">
            {messages.map((m) => (
              <li key={m.id} class="py-3">
                <a
                  class="font-medium text-indigo-700 underline dark:text-indigo-300"
                  href={`/dev/mail/${m.id}`}
                >
                  {m.subject || "(no subject)"}
                </a>
                <p class="text-sm text-slate-600 dark:text-slate-300">
                  To {m.to}
                  {m.date !== undefined && (
                    <>
                      {" · "}
                      <time dateTime={m.date.toISOString()}>
                        {formatUtcDateTime(m.date.getTime())} UTC
                      </time>
                    </>
                  )}
                </p>
              </li>
            ))}
          </ul>
        )}
    </section>
  );
});
