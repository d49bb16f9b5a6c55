import { page } from "fresh";
import { Head } from "fresh/runtime";
import {
  invalidateOtherSessions,
  invalidateSession,
  listUserSessions,
  type Session,
} from "../../lib/auth/session.ts";
import { audit } from "../../lib/db/audit.ts";
import { asBodyError, BodyError, readInput } from "../../lib/http/body.ts";
import { requestMeta } from "../../lib/web/auth.ts";
import { formatUtcDateTime } from "../../lib/web/date_time.ts";
import { deviceLabel } from "../../lib/web/device.ts";
import { define } from "../../utils.ts";

interface Data {
  sessions: Session[];
  notice?: string;
}

export const handler = define.handlers<Data>({
  GET(ctx) {
    const { services, user } = ctx.state;
    const notice = ctx.url.searchParams.get("ended") === "1"
      ? "The session was ended."
      : undefined;
    return page({
      sessions: listUserSessions(services.sessions, user!.id),
      notice,
    }, {
      headers: { "cache-control": "no-store" },
    });
  },
  // The session buttons are plain forms: ending a session works without JavaScript.
  async POST(ctx) {
    const { services, user, session } = ctx.state;
    const input = await readInput(ctx.req).catch(asBodyError);
    if (input instanceof BodyError) {
      return new Response(input.message, { status: input.status });
    }
    const meta = requestMeta(ctx);
    if (input.action === "end-others") {
      const ended = await invalidateOtherSessions(
        services.sessions,
        user!.id,
        session!.id,
      );
      audit(services.db, {
        userId: user!.id,
        event: "session.end_others",
        ...meta,
        details: { ended },
      });
    } else if (input.action === "end" && typeof input.id === "string") {
      const target = listUserSessions(services.sessions, user!.id).find((s) =>
        s.id === input.id
      );
      if (target !== undefined && target.id !== session!.id) {
        await invalidateSession(services.sessions, target.id);
        audit(services.db, {
          userId: user!.id,
          event: "session.end",
          ...meta,
          details: { sessionId: target.id },
        });
      }
    } else {
      return new Response("Unknown action", { status: 400 });
    }
    return ctx.redirect("/dashboard?ended=1", 303);
  },
});

// Static parts, built once rather than on every render.
const THIS_DEVICE = (
  <span class="ml-2 rounded bg-indigo-100 px-1.5 py-0.5 text-xs font-medium text-indigo-800 dark:bg-indigo-900 dark:text-indigo-100">
    This device
  </span>
);

export default define.page<typeof handler>(function Dashboard({ data, state }) {
  const user = state.user!;
  const current = state.session!.id;
  const others = data.sessions.filter((s) => s.id !== current).length;
  return (
    <div class="mx-auto max-w-5xl space-y-10 px-4 py-12">
      <Head>
        <title>Dashboard · Islet</title>
      </Head>
      <section aria-labelledby="account-title">
        <h1 id="account-title" class="text-3xl font-bold">Your account</h1>
        <dl class="mt-6 grid gap-4 sm:grid-cols-3">
          <div>
            <dt class="text-sm text-slate-600 dark:text-slate-300">Email</dt>
            <dd class="font-medium" data-testid="account-email">
              {user.email}
            </dd>
          </div>
          <div>
            <dt class="text-sm text-slate-600 dark:text-slate-300">Username</dt>
            <dd class="font-medium">{user.username}</dd>
          </div>
          <div>
            <dt class="text-sm text-slate-600 dark:text-slate-300">Plan</dt>
            <dd class="font-medium capitalize">{user.subscriptionTier}</dd>
          </div>
        </dl>
      </section>

      <section aria-labelledby="sessions-title">
        <div class="flex flex-wrap items-center justify-between gap-4">
          <h2 id="sessions-title" class="text-2xl font-bold">
            Where you are signed in
          </h2>
          {others > 0 && (
            <form method="post" action="/dashboard">
              <input type="hidden" name="action" value="end-others" />
              <button
                type="submit"
                class="rounded-md border border-red-700 px-3 py-1.5 text-sm font-medium text-red-700 hover:bg-red-50 dark:border-red-400 dark:text-red-300 dark:hover:bg-red-950"
              >
                Sign out all other sessions ({others})
              </button>
            </form>
          )}
        </div>
        {data.notice && (
          <p
            role="status"
            class="mt-4 text-sm text-green-800 dark:text-green-300"
          >
            {data.notice}
          </p>
        )}
        <div class="mt-6 overflow-x-auto">
          <table class="w-full text-left text-sm">
            <thead class="border-b border-slate-300 dark:border-slate-700">
              <tr>
                <th scope="col" class="py-2 pr-4">Device</th>
                <th scope="col" class="py-2 pr-4">IP address</th>
                <th scope="col" class="py-2 pr-4">Signed in (UTC)</th>
                <th scope="col" class="py-2 pr-4">Last seen (UTC)</th>
                <th scope="col" class="py-2">
                  <span class="sr-only">Action</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {data.sessions.map((s) => {
                const device = deviceLabel(s.userAgent);
                return (
                  <tr
                    key={s.id}
                    class="border-b border-slate-200 dark:border-slate-800"
                    data-session-id={s.id}
                  >
                    <td class="py-2 pr-4">
                      {device}
                      {s.id === current && THIS_DEVICE}
                    </td>
                    <td class="py-2 pr-4 font-mono">{s.ip ?? "unknown"}</td>
                    <td class="py-2 pr-4">{formatUtcDateTime(s.createdAt)}</td>
                    <td class="py-2 pr-4">
                      {formatUtcDateTime(s.lastVerifiedAt)}
                    </td>
                    <td class="py-2 text-right">
                      {s.id !== current && (
                        <form method="post" action="/dashboard">
                          <input type="hidden" name="action" value="end" />
                          <input type="hidden" name="id" value={s.id} />
                          <button
                            type="submit"
                            class="rounded-md px-2 py-1 font-medium text-red-700 underline hover:no-underline dark:text-red-300"
                            aria-label={`End session on ${device} from ${
                              s.ip ?? "an unknown address"
                            }`}
                          >
                            End session
                          </button>
                        </form>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      </section>
    </div>
  );
});
