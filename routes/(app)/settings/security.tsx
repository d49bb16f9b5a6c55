import { page } from "fresh";
import { Head } from "fresh/runtime";
import { Notice } from "../../../components/Notice.tsx";
import { takeFlash } from "../../../lib/web/flash.ts";
import { define, requireSignedIn } from "../../../utils.ts";

export const handler = define.handlers<{ notice: string | null }>({
  GET(ctx) {
    const flash = takeFlash(ctx.req, ctx.state.services.config.secureCookies, [
      "password_changed",
    ]);
    return page({ notice: flash.message }, { headers: flash.headers });
  },
});

const LINK = "font-medium text-indigo-700 underline dark:text-indigo-300";

/** Settings, Security: how this account signs in, as it stands today. */
export default define.page<typeof handler>(function SecuritySettings(
  { data, state },
) {
  const { user } = requireSignedIn(state);
  return (
    <section aria-labelledby="security-title">
      <Head>
        <title>Security · Settings · Islet</title>
      </Head>
      <h2 id="security-title" class="text-2xl font-bold">Security</h2>
      <Notice message={data.notice} class="mt-4" />
      <dl class="mt-6 space-y-5">
        <div>
          <dt class="font-medium">Password</dt>
          <dd class="mt-1 text-sm text-slate-700 dark:text-slate-300">
            {user.hasPassword
              ? "Set. You sign in with your email address and password."
              : "Not set. You sign in through a connected account."}{" "}
            {user.hasPassword
              ? <a class={LINK} href="/settings/password">Change password</a>
              : (
                // A password is set through the reset email: the link
                // proves the address, as a current password would.
                <a class={LINK} href="/forgot-password">Set a password</a>
              )}
          </dd>
        </div>
        <div>
          <dt class="font-medium">Two-factor authentication</dt>
          <dd
            class="mt-1 text-sm text-slate-700 dark:text-slate-300"
            data-testid="security-two-factor"
          >
            {user.twoFactorEnabled
              ? "On: signing in also asks for a code from your app."
              : state.services.secrets === null
              ? "Off. Not available on this server yet."
              : "Off: signing in takes only your password."}{" "}
            <a class={LINK} href="/settings/two-factor">
              {user.twoFactorEnabled
                ? "Manage two-factor"
                : state.services.secrets === null
                ? "Why?"
                : "Set up two-factor"}
            </a>
          </dd>
        </div>
        <div>
          <dt class="font-medium">Where you are signed in</dt>
          <dd class="mt-1 text-sm text-slate-700 dark:text-slate-300">
            See every device signed in to your account, and end the ones you do
            not recognise, on the{" "}
            <a class={LINK} href="/settings/sessions">Sessions</a> page.
          </dd>
        </div>
      </dl>
    </section>
  );
});
