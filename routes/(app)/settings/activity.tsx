import { page } from "fresh";
import { Head } from "fresh/runtime";
import {
  type ActivityItem,
  securityActivity,
} from "../../../lib/account/activity.ts";
import { PublicError } from "../../../lib/http/public_error.ts";
import {
  formatRelativeTime,
  formatUtcDateTime,
} from "../../../lib/web/date_time.ts";
import { failureStatus } from "../../../lib/web/failure_answer.ts";
import { limitByUser } from "../../../lib/web/limit_user.ts";
import LocalTime from "../../../islands/LocalTime.tsx";
import { define, requireSignedIn } from "../../../utils.ts";

interface Data {
  items: ActivityItem[];
  /** The `?before=` of the next (older) page, or null on the last. */
  next: string | null;
  /** Whether this is a later page (so "newest" is offered). */
  paged: boolean;
  now: number;
}

const PATH = "/settings/activity";

// A constant, so the trailing space survives formatting: read before the sentence.
const WARNING = "Warning: ";
export const handler = define.handlers<Data>({
  async GET(ctx) {
    const { services } = ctx.state;
    const { user } = requireSignedIn(ctx.state);
    const limited = await limitByUser(ctx, "account", user.id);
    if (limited) throw new PublicError(429, limited.error);
    const before = ctx.url.searchParams.get("before");
    const result = await securityActivity(services.db, user.id, { before });
    if (!result.ok) throw new PublicError(failureStatus(result), result.error);
    return page({
      items: result.items,
      next: result.next,
      paged: before !== null,
      now: Date.now(),
    }, { headers: { "cache-control": "no-store" } });
  },
});

const TERM = "text-slate-600 dark:text-slate-300";
const LINK =
  "inline-block rounded-md border border-slate-400 px-3 py-1.5 text-sm font-medium hover:bg-slate-100 dark:border-slate-500 dark:hover:bg-slate-900";

/** Settings, Activity: what happened to this account, newest first. */
export default define.page<typeof handler>(function ActivitySettings(
  { data },
) {
  const { items, now } = data;
  return (
    <section aria-labelledby="activity-title" class="space-y-6">
      <Head>
        <title>Activity · Settings · Islet</title>
      </Head>
      <div>
        <h2 id="activity-title" class="text-2xl font-bold">
          Security activity
        </h2>
        <p class="mt-2 text-sm text-slate-700 dark:text-slate-300">
          Sign-ins, failed attempts, sessions ended and changes to your account,
          newest first. If something here was not you,{" "}
          <a
            class="font-medium text-indigo-700 underline dark:text-indigo-300"
            href="/settings/sessions"
          >
            end the sessions you do not recognise
          </a>{" "}
          and change your password.
        </p>
      </div>
      {items.length === 0
        ? (
          <p class="text-sm text-slate-700 dark:text-slate-300">
            {data.paged
              ? "There is nothing older."
              : "Nothing has happened yet."}
          </p>
        )
        : (
          <ol class="space-y-3" data-testid="activity-list">
            {items.map((item) => (
              <li
                key={item.id}
                data-event={item.event}
                class={`rounded-lg border p-4 ${
                  item.warning
                    ? "border-amber-600 dark:border-amber-500"
                    : "border-slate-200 dark:border-slate-800"
                }`}
              >
                <p class="font-medium" data-testid="activity-sentence">
                  {item.warning && <span class="sr-only">{WARNING}</span>}
                  {item.sentence}
                </p>
                <dl class="mt-2 grid grid-cols-[auto_minmax(0,1fr)] gap-x-3 gap-y-1 text-sm">
                  <dt class={TERM}>When</dt>
                  <dd>
                    <LocalTime
                      ms={item.at}
                      text={formatRelativeTime(item.at, now)}
                      utc={formatUtcDateTime(item.at)}
                    />
                  </dd>
                  <dt class={TERM}>Device</dt>
                  <dd>{item.device}</dd>
                  <dt class={TERM}>IP address</dt>
                  <dd class="font-mono break-all">{item.ip ?? "unknown"}</dd>
                </dl>
              </li>
            ))}
          </ol>
        )}
      {(data.next !== null || data.paged) && (
        <nav aria-label="Activity pages" class="flex flex-wrap gap-3">
          {data.paged && <a class={LINK} href={PATH}>Newest events</a>}
          {data.next !== null && (
            <a
              class={LINK}
              href={`${PATH}?before=${encodeURIComponent(data.next)}`}
              rel="next"
            >
              Older events
            </a>
          )}
        </nav>
      )}
    </section>
  );
});
