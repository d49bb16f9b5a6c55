import { page } from "fresh";
import { Head } from "fresh/runtime";
import { checkHealth, type Health } from "../lib/health.ts";
import { formatUtcDateTime } from "../lib/web/date_time.ts";
import { define } from "../utils.ts";

interface Data {
  health: Health;
  checkedAt: number;
}

/**
 * The footer's "Service status": the check behind `/api/health`, in words.
 * Answers 503 when the database is down, as the JSON endpoint does, so a
 * monitor pointed at either sees the same thing.
 */
export const handler = define.handlers<Data>({
  async GET(ctx) {
    const health = await checkHealth(ctx.state.services);
    return page({ health, checkedAt: Date.now() }, {
      status: health.httpStatus,
      headers: { "cache-control": "no-store" },
    });
  },
});

const SUMMARY: Record<Health["status"], string> = {
  ok: "Everything is working.",
  degraded:
    "The service is working, more slowly than usual: the shared cache cannot be reached.",
  error:
    "The service is down: the database does not answer, so signing in and account pages fail until it is back.",
};

const DATABASE: Record<Health["checks"]["database"], [string, string]> = {
  ok: ["Working", "Answers queries."],
  error: ["Down", "Does not answer queries."],
};

const CACHE: Record<Health["checks"]["cache"], [string, string]> = {
  ok: ["Working", "Redis is connected and shared by every instance."],
  "in-process": [
    "Working",
    "Kept inside this one instance (no Redis is configured), which is all a single instance needs.",
  ],
  degraded: [
    "Degraded",
    "Redis cannot be reached. Requests are still served: rate limits are counted per instance and sessions are checked against the database until Redis is back.",
  ],
};

const TONE = {
  Working: "bg-green-100 text-green-900 dark:bg-green-950 dark:text-green-200",
  Degraded: "bg-amber-100 text-amber-900 dark:bg-amber-950 dark:text-amber-200",
  Down: "bg-red-100 text-red-900 dark:bg-red-950 dark:text-red-200",
} as const;

function Check(
  { name, state }: { name: string; state: [string, string] },
) {
  const [word, detail] = state;
  return (
    <div class="flex flex-wrap items-baseline justify-between gap-x-4 gap-y-1 border-b border-slate-200 py-4 dark:border-slate-800">
      <dt class="font-semibold">{name}</dt>
      <dd>
        <span
          class={`rounded px-2 py-0.5 text-sm font-medium ${
            TONE[word as keyof typeof TONE]
          }`}
        >
          {word}
        </span>
      </dd>
      <dd class="w-full text-slate-700 dark:text-slate-300">{detail}</dd>
    </div>
  );
}

export default define.page<typeof handler>(function Status({ data }) {
  const { health, checkedAt } = data;
  return (
    <section class="mx-auto max-w-2xl px-4 py-12 sm:py-16">
      <Head>
        <title>Service status · Islet</title>
      </Head>
      <h1 class="text-3xl font-bold">Service status</h1>
      <p class="mt-4 text-lg" data-testid="status-summary">
        {SUMMARY[health.status]}
      </p>
      <dl class="mt-8 border-t border-slate-200 dark:border-slate-800">
        <Check name="Database" state={DATABASE[health.checks.database]} />
        <Check name="Cache" state={CACHE[health.checks.cache]} />
      </dl>
      <p class="mt-6 text-sm text-slate-600 dark:text-slate-300">
        Checked{" "}
        <time dateTime={new Date(checkedAt).toISOString()}>
          {formatUtcDateTime(checkedAt)} UTC
        </time>
        ; reload the page to check again. Monitors can read the same check as
        JSON at{" "}
        <a
          class="font-medium text-indigo-700 underline dark:text-indigo-300"
          href="/api/health"
        >
          /api/health
        </a>
        .
      </p>
    </section>
  );
});
