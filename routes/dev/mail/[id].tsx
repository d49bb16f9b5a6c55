import { HttpError, page } from "fresh";
import { Head } from "fresh/runtime";
import {
  type OutboxEntry,
  readOutboxMessage,
} from "../../../lib/email/dev_outbox.ts";
import { formatUtcDateTime } from "../../../lib/web/date_time.ts";
import { define } from "../../../utils.ts";

/**
 * One message of the development outbox: its headers, its text part, and
 * its HTML part rendered in a sandboxed frame (no scripts, an opaque
 * origin, the page's CSP inherited), so whatever a template produced
 * cannot act on this page. Development only; 404 otherwise.
 */
export const handler = define.handlers<OutboxEntry>({
  async GET(ctx) {
    if (ctx.config.mode !== "development") throw new HttpError(404);
    const message = await readOutboxMessage(
      ctx.state.services.config.mail.outboxDir,
      ctx.params.id,
    );
    if (message === undefined) throw new HttpError(404);
    return page(message, { headers: { "cache-control": "no-store" } });
  },
});

export default define.page<typeof handler>(function DevMailMessage({ data }) {
  const m = data;
  return (
    <section class="mx-auto max-w-3xl px-4 py-12 sm:py-16">
      <Head>
        <title>
          {`${m.subject || "(no subject)"} · Development mail · Islet`}
        </title>
      </Head>
      <p>
        <a
          class="font-medium text-indigo-700 underline dark:text-indigo-300"
          href="/dev/mail"
        >
          All development mail
        </a>
      </p>
      <h1 class="mt-4 text-3xl font-bold">{m.subject || "(no subject)"}</h1>
      <dl class="mt-6 grid grid-cols-[auto_1fr] gap-x-4 gap-y-1">
        <dt class="font-semibold">From</dt>
        <dd>{m.from}</dd>
        <dt class="font-semibold">To</dt>
        <dd>{m.to}</dd>
        {m.date !== undefined && (
          <>
            <dt class="font-semibold">Date</dt>
            <dd>
              <time dateTime={m.date.toISOString()}>
                {formatUtcDateTime(m.date.getTime())} UTC
              </time>
            </dd>
          </>
        )}
      </dl>
      <h2 class="mt-8 text-xl font-semibold">Text part</h2>
      <pre
        class="mt-2 overflow-x-auto whitespace-pre-wrap break-words rounded border border-slate-200 p-4 text-sm dark:border-slate-800"
        data-testid="dev-mail-text"
      >{m.text}</pre>
      <h2 class="mt-8 text-xl font-semibold">HTML part</h2>
      <p class="mt-2 text-sm text-slate-600 dark:text-slate-300">
        Shown without its inline styles: this page's Content-Security-Policy
        applies inside the frame too.
      </p>
      {m.html === ""
        ? <p class="mt-2">This message has no HTML part.</p>
        : (
          <iframe
            class="mt-2 h-[32rem] w-full rounded border border-slate-200 bg-white dark:border-slate-800"
            title="The message's HTML part"
            sandbox=""
            srcdoc={m.html}
            data-testid="dev-mail-html"
          />
        )}
    </section>
  );
});
