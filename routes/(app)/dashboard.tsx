import { page } from "fresh";
import { Head } from "fresh/runtime";
import { listUserSessions } from "../../lib/auth/session.ts";
import { define, requireSignedIn } from "../../utils.ts";

interface Data {
  sessionCount: number;
  /** The account is less than a day old: greet it as new. */
  firstRun: boolean;
}

const DAY = 86_400_000;

export const handler = define.handlers<Data>({
  async GET(ctx) {
    const { services } = ctx.state;
    const { user } = requireSignedIn(ctx.state);
    return page({
      // A sign-in still waiting for its code is no device signed in.
      sessionCount: (await listUserSessions(services.sessions, user.id))
        .filter((s) => !s.secondFactorPending).length,
      firstRun: Date.now() - user.createdAt < DAY,
    }, { headers: { "cache-control": "no-store" } });
  },
});

const LINK =
  "font-medium text-indigo-700 underline hover:no-underline dark:text-indigo-300";

export default define.page<typeof handler>(function Dashboard({ data, state }) {
  const { user } = requireSignedIn(state);
  const devices = data.sessionCount === 1
    ? "1 device is"
    : `${data.sessionCount} devices are`;
  return (
    <div class="mx-auto max-w-5xl space-y-10 px-4 py-8 sm:py-12">
      <Head>
        <title>Dashboard · Islet</title>
      </Head>
      <section aria-labelledby="welcome-title">
        <h1 id="welcome-title" class="text-3xl font-bold break-words">
          {data.firstRun ? "Welcome to Islet" : "Welcome back"}
        </h1>
        <p class="mt-2 break-words text-slate-700 dark:text-slate-300">
          {data.firstRun ? "Your account is ready. " : ""}You are signed in as
          {" "}
          <span class="font-medium" data-testid="account-email">
            {user.email}
          </span>.
        </p>
      </section>

      <section aria-labelledby="steps-title">
        <h2 id="steps-title" class="text-xl font-bold">
          {data.firstRun ? "Next steps" : "Your account"}
        </h2>
        <ul class="mt-4 grid gap-4 sm:grid-cols-2">
          <li class="rounded-lg border border-slate-200 p-4 dark:border-slate-800">
            <a class={LINK} href="/settings">Review your account</a>
            <p class="mt-1 text-sm text-slate-700 dark:text-slate-300">
              Your email address, username ({user.username}) and plan (
              <span class="capitalize">{user.subscriptionTier}</span>).
            </p>
          </li>
          <li class="rounded-lg border border-slate-200 p-4 dark:border-slate-800">
            <a class={LINK} href="/settings/sessions">
              See where you are signed in
            </a>
            <p class="mt-1 text-sm text-slate-700 dark:text-slate-300">
              {devices}{" "}
              signed in to your account. End any session you do not recognise.
            </p>
          </li>
        </ul>
      </section>
    </div>
  );
});
