import { page } from "fresh";
import { Head } from "fresh/runtime";
import { Notice } from "../../../components/Notice.tsx";
import {
  endOneSession,
  endOtherSessions,
} from "../../../lib/auth/end_sessions.ts";
import { deleteSessionCookie } from "../../../lib/auth/cookie.ts";
import { listUserSessions, type Session } from "../../../lib/auth/session.ts";
import { readInput } from "../../../lib/http/body.ts";
import { PublicError } from "../../../lib/http/public_error.ts";
import { requestMeta } from "../../../lib/web/auth.ts";
import {
  formatRelativeTime,
  formatUtcDateTime,
} from "../../../lib/web/date_time.ts";
import { deviceIds, distinctDeviceLabels } from "../../../lib/web/device.ts";
import { type Flash, flashCookie, takeFlash } from "../../../lib/web/flash.ts";
import LocalTime from "../../../islands/LocalTime.tsx";
import { define, requireSignedIn } from "../../../utils.ts";

interface Data {
  /** The current session first, then the others, most recent first. */
  sessions: Session[];
  notice: string | null;
  now: number;
}

const PATH = "/settings/sessions";

export const handler = define.handlers<Data>({
  async GET(ctx) {
    const { services } = ctx.state;
    const { user, session } = requireSignedIn(ctx.state);
    const flash = takeFlash(ctx.req, services.config.secureCookies, [
      "others_ended",
      "session_ended",
      "session_gone",
    ]);
    const all = await listUserSessions(services.sessions, user.id);
    const sessions = [
      ...all.filter((s) => s.id === session.id),
      ...all.filter((s) => s.id !== session.id),
    ];
    return page({ sessions, notice: flash.message, now: Date.now() }, {
      headers: { ...flash.headers, "cache-control": "no-store" },
    });
  },
  // Plain forms, so this works without JavaScript. Post/redirect/get: the
  // outcome travels in a flash cookie, and a reload does not post again.
  async POST(ctx) {
    const { services } = ctx.state;
    const { user, session } = requireSignedIn(ctx.state);
    // A malformed body or a crafted form is a 400 page (lib/web/error_answers.tsx).
    const input = await readInput(ctx.req);
    let flash: Flash;
    if (input.action === "end-others") {
      const count = await endOtherSessions(
        services.sessions,
        user.id,
        session.id,
        requestMeta(ctx),
      );
      flash = { kind: "others_ended", count };
    } else if (input.action === "end" && typeof input.id === "string") {
      const ended = await endOneSession(
        services.sessions,
        user.id,
        input.id,
        requestMeta(ctx),
      );
      // Ending this device's own session is a sign-out, as in the API: the
      // cookie goes and the sign-in page says so.
      if (ended !== null && ended.id === session.id) {
        const secure = services.config.secureCookies;
        const headers = new Headers({ location: "/login" });
        headers.append("set-cookie", deleteSessionCookie(secure));
        headers.append(
          "set-cookie",
          flashCookie({ kind: "signed_out" }, secure),
        );
        return new Response(null, { status: 303, headers });
      }
      flash = ended === null
        ? { kind: "session_gone" }
        : { kind: "session_ended", device: deviceIds(ended.userAgent) };
    } else {
      throw new PublicError(400, "That form did not say what to do.");
    }
    return new Response(null, {
      status: 303,
      headers: {
        location: PATH,
        "set-cookie": flashCookie(flash, services.config.secureCookies),
      },
    });
  },
});

const BADGE = (
  <span class="ml-2 inline-block rounded bg-indigo-100 px-1.5 py-0.5 align-middle text-xs font-medium text-indigo-800 dark:bg-indigo-900 dark:text-indigo-100">
    This device
  </span>
);
const TERM = "text-slate-600 dark:text-slate-300";

function When({ ms, now }: { ms: number; now: number }) {
  return (
    <LocalTime
      ms={ms}
      text={formatRelativeTime(ms, now)}
      utc={formatUtcDateTime(ms)}
    />
  );
}

/** Settings, Sessions: every device signed in, as cards. */
export default define.page<typeof handler>(function SessionsSettings(
  { data, state },
) {
  const current = requireSignedIn(state).session.id;
  const { sessions, now } = data;
  const labels = distinctDeviceLabels(sessions.map((s) => s.userAgent));
  const others = sessions.length - 1;
  return (
    <section aria-labelledby="sessions-title" class="space-y-6">
      <Head>
        <title>Sessions · Settings · Islet</title>
      </Head>
      <div>
        <h2 id="sessions-title" class="text-2xl font-bold">Sessions</h2>
        <p class="mt-2 text-sm text-slate-700 dark:text-slate-300">
          The devices signed in to your account. End any session you do not
          recognise.
        </p>
      </div>
      <Notice message={data.notice} />
      <ul class="space-y-3">
        {sessions.map((s, i) => {
          const isCurrent = s.id === current;
          const ip = s.ip ?? "unknown";
          return (
            <li
              key={s.id}
              data-session-id={s.id}
              class="flex flex-col gap-3 rounded-lg border border-slate-200 p-4 sm:flex-row sm:items-start sm:justify-between dark:border-slate-800"
            >
              <div class="min-w-0">
                <p class="font-medium" data-testid="session-device">
                  {labels[i]}
                  {isCurrent && BADGE}
                </p>
                <dl class="mt-2 grid grid-cols-[auto_minmax(0,1fr)] gap-x-3 gap-y-1 text-sm">
                  <dt class={TERM}>IP address</dt>
                  <dd class="font-mono break-all">{ip}</dd>
                  <dt class={TERM}>Signed in</dt>
                  <dd>
                    <When ms={s.createdAt} now={now} />
                  </dd>
                  <dt class={TERM}>Last active</dt>
                  <dd>
                    {isCurrent
                      ? "Now"
                      : <When ms={s.lastVerifiedAt} now={now} />}
                  </dd>
                </dl>
              </div>
              {!isCurrent && (
                <form method="post" action={PATH} class="shrink-0">
                  <input type="hidden" name="action" value="end" />
                  <input type="hidden" name="id" value={s.id} />
                  <button
                    type="submit"
                    class="rounded-md border border-red-700 px-3 py-1.5 text-sm font-medium text-red-700 hover:bg-red-50 dark:border-red-400 dark:text-red-300 dark:hover:bg-red-950"
                    aria-label={`End session on ${labels[i]} from ${
                      s.ip ?? "an unknown address"
                    }`}
                  >
                    End session
                  </button>
                </form>
              )}
            </li>
          );
        })}
      </ul>
      {others > 0 && (
        <form method="post" action={PATH}>
          <input type="hidden" name="action" value="end-others" />
          <button
            type="submit"
            class="w-full rounded-md bg-red-700 px-4 py-2 text-sm font-medium text-white hover:bg-red-800 sm:w-auto"
          >
            Sign out all other sessions ({others})
          </button>
        </form>
      )}
    </section>
  );
});
