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
  /**
   * Sign-ins that got past the password and wait for a code: not devices
   * signed in, and shown apart, since one the owner did not start means
   * someone else has the password.
   */
  waiting: Session[];
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
    const signedIn = all.filter((s) => !s.secondFactorPending);
    const sessions = [
      ...signedIn.filter((s) => s.id === session.id),
      ...signedIn.filter((s) => s.id !== session.id),
    ];
    const waiting = all.filter((s) => s.secondFactorPending);
    return page({ sessions, waiting, notice: flash.message, now: Date.now() }, {
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
const VERIFIED = (
  <span class="ml-2 inline-block rounded bg-green-100 px-1.5 py-0.5 align-middle text-xs font-medium text-green-900 dark:bg-green-900 dark:text-green-100">
    Two-factor verified
  </span>
);
const TERM = "text-slate-600 dark:text-slate-300";
const LINK = "font-medium text-indigo-700 underline dark:text-indigo-300";

/** The plain form that ends one session. */
function EndButton({ session, label }: { session: Session; label: string }) {
  return (
    <form method="post" action={PATH} class="shrink-0">
      <input type="hidden" name="action" value="end" />
      <input type="hidden" name="id" value={session.id} />
      <button
        type="submit"
        class="rounded-md border border-red-700 px-3 py-1.5 text-sm font-medium text-red-700 hover:bg-red-50 dark:border-red-400 dark:text-red-300 dark:hover:bg-red-950"
        aria-label={`End session on ${label} from ${
          session.ip ?? "an unknown address"
        }`}
      >
        End session
      </button>
    </form>
  );
}

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
  const { sessions, waiting, now } = data;
  const labels = distinctDeviceLabels(sessions.map((s) => s.userAgent));
  const waitingLabels = distinctDeviceLabels(waiting.map((s) => s.userAgent));
  // "All other sessions" ends the waiting sign-ins too.
  const others = sessions.length - 1 + waiting.length;
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
                  {s.twoFactorVerified && VERIFIED}
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
              {!isCurrent && <EndButton session={s} label={labels[i]} />}
            </li>
          );
        })}
      </ul>
      {waiting.length > 0 && (
        <section aria-labelledby="waiting-title" class="space-y-3">
          <h3 id="waiting-title" class="text-lg font-semibold">
            Waiting for a code
          </h3>
          <p class="text-sm text-slate-700 dark:text-slate-300">
            Your password was entered on{" "}
            {waiting.length === 1 ? "this device" : "these devices"}, and the
            code from your authenticator app has not been. They are not signed
            in. If this was not you, someone knows your password:{" "}
            <a class={LINK} href="/settings/password">change it</a>.
          </p>
          <ul class="space-y-3">
            {waiting.map((s, i) => (
              <li
                key={s.id}
                data-session-id={s.id}
                data-waiting="true"
                class="flex flex-col gap-3 rounded-lg border border-dashed border-slate-400 p-4 sm:flex-row sm:items-start sm:justify-between dark:border-slate-600"
              >
                <div class="min-w-0">
                  <p class="font-medium" data-testid="session-device">
                    {waitingLabels[i]}
                  </p>
                  <dl class="mt-2 grid grid-cols-[auto_minmax(0,1fr)] gap-x-3 gap-y-1 text-sm">
                    <dt class={TERM}>IP address</dt>
                    <dd class="font-mono break-all">{s.ip ?? "unknown"}</dd>
                    <dt class={TERM}>Password entered</dt>
                    <dd>
                      <When ms={s.createdAt} now={now} />
                    </dd>
                  </dl>
                </div>
                <EndButton session={s} label={waitingLabels[i]} />
              </li>
            ))}
          </ul>
        </section>
      )}
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
