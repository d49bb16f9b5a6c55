import { page } from "fresh";
import { Head } from "fresh/runtime";
import { Notice } from "../../../components/Notice.tsx";
import { takeFlash } from "../../../lib/web/flash.ts";
import { formatUtcDate } from "../../../lib/web/date_time.ts";
import { define, requireSignedIn } from "../../../utils.ts";

const TERM = "text-sm text-slate-600 dark:text-slate-300";
const LINK =
  "text-sm font-medium text-indigo-700 underline dark:text-indigo-300";

export const handler = define.handlers<{ notice: string | null }>({
  GET(ctx) {
    const flash = takeFlash(ctx.req, ctx.state.services.config.secureCookies, [
      "email_change_sent",
    ]);
    return page({ notice: flash.message }, { headers: flash.headers });
  },
});

/** Settings, Account: who you are here. */
export default define.page<typeof handler>(function AccountSettings(
  { data, state },
) {
  const { user } = requireSignedIn(state);
  return (
    <section aria-labelledby="account-title">
      <Head>
        <title>Account · Settings · Islet</title>
      </Head>
      <h2 id="account-title" class="text-2xl font-bold">Account</h2>
      <Notice message={data.notice} class="mt-4" />
      <dl class="mt-6 grid gap-x-8 gap-y-5 sm:grid-cols-2">
        <div class="min-w-0">
          <dt class={TERM}>Email</dt>
          <dd class="font-medium break-words" data-testid="settings-email">
            {user.email}
          </dd>
          <dd class="text-sm" data-testid="settings-email-status">
            {user.emailVerifiedAt !== null ? "Confirmed" : (
              <>
                Not confirmed yet.{" "}
                <a
                  class="font-medium text-indigo-700 underline dark:text-indigo-300"
                  href="/verify-email/resend"
                >
                  Send a new link
                </a>
              </>
            )}
          </dd>
          <dd class="mt-1">
            <a class={LINK} href="/settings/email">Change email</a>
          </dd>
        </div>
        <div class="min-w-0">
          <dt class={TERM}>Username</dt>
          <dd class="font-medium break-words">{user.username}</dd>
        </div>
        <div>
          <dt class={TERM}>Plan</dt>
          <dd class="font-medium capitalize">{user.subscriptionTier}</dd>
        </div>
        <div>
          <dt class={TERM}>Member since</dt>
          <dd class="font-medium">
            <time datetime={new Date(user.createdAt).toISOString()}>
              {formatUtcDate(user.createdAt)}
            </time>
          </dd>
        </div>
      </dl>
    </section>
  );
});
