import { page } from "fresh";
import { Head } from "fresh/runtime";
import { checkNotMeToken } from "../../lib/account/not_me.ts";
import { asBodyError, BodyError } from "../../lib/http/body.ts";
import { notMeAction } from "../../lib/web/account_data_actions.ts";
import { failureHeaders, failureStatus } from "../../lib/web/failure_answer.ts";
import { flashCookie, takeFlash } from "../../lib/web/flash.ts";
import { AuthCard } from "../../components/AuthCard.tsx";
import { FormError } from "../../components/Field.tsx";
import { Notice } from "../../components/Notice.tsx";
import { define } from "../../utils.ts";

/**
 * The "this wasn't me" page a security notice links to. Opening the link
 * does nothing (mail scanners open links); the button POSTs the token,
 * which ends every session of the account, and the page then sends the
 * person on to reset their password. The token is in the address, so no
 * Referer leaves the site (`same-origin`). Not `no-referrer`: with it,
 * Chromium sends `Origin: null` on the form's POST, which the origin check
 * rightly refuses.
 */
type Data =
  | { view: "confirm"; token: string }
  | { view: "refused"; error: string }
  | { view: "done"; notice: string | null };

const PATH = "/account/not-me";
const NO_REFERRER = { "referrer-policy": "same-origin" };

export const handler = define.handlers<Data>({
  async GET(ctx) {
    const { services } = ctx.state;
    if (ctx.url.searchParams.has("done")) {
      const flash = takeFlash(ctx.req, services.config.secureCookies, [
        "not_me_done",
      ]);
      return page({ view: "done", notice: flash.message }, {
        headers: {
          ...flash.headers,
          ...NO_REFERRER,
          "cache-control": "no-store",
        },
      });
    }
    const token = ctx.url.searchParams.get("token") ?? "";
    const check = await checkNotMeToken(services.db, token);
    if (!check.ok) {
      return page({ view: "refused", error: check.error }, {
        status: failureStatus(check),
        headers: { ...NO_REFERRER, "cache-control": "no-store" },
      });
    }
    return page({ view: "confirm", token }, {
      headers: { ...NO_REFERRER, "cache-control": "no-store" },
    });
  },
  async POST(ctx) {
    const outcome = await notMeAction(ctx).catch(asBodyError);
    if (outcome instanceof BodyError) {
      return page({ view: "refused", error: outcome.message }, {
        status: outcome.status,
        headers: NO_REFERRER,
      });
    }
    if (!outcome.ok) {
      return page({ view: "refused", error: outcome.error }, {
        status: failureStatus(outcome),
        headers: { ...failureHeaders(outcome), ...NO_REFERRER },
      });
    }
    return new Response(null, {
      status: 303,
      headers: {
        location: `${PATH}?done`,
        "set-cookie": flashCookie(
          { kind: "not_me_done", count: outcome.ended },
          ctx.state.services.config.secureCookies,
        ),
        ...NO_REFERRER,
      },
    });
  },
});

const PRIMARY =
  "inline-block rounded-md bg-indigo-700 px-4 py-2 font-medium text-white hover:bg-indigo-800";
const TEXT = "text-slate-700 dark:text-slate-300";

export default define.page<typeof handler>(function NotMe({ data }) {
  return (
    <AuthCard title="Secure your account">
      <Head>
        <title>Secure your account · Islet</title>
      </Head>
      {data.view === "confirm" && (
        <div class="space-y-4">
          <p class={TEXT}>
            If you did not do what our email described, someone else may know
            your password. Signing out everywhere ends every session of your
            account at once, on every device, including any they opened.
          </p>
          <p class={TEXT}>
            Next, you choose a new password, so they cannot sign in again.
          </p>
          <form method="post" action={PATH}>
            <input type="hidden" name="token" value={data.token} />
            <button type="submit" class={`${PRIMARY} w-full`}>
              Sign out everywhere
            </button>
          </form>
        </div>
      )}
      {data.view === "refused" && (
        <div class="space-y-4">
          <FormError message={data.error} />
          <p>
            <a class={PRIMARY} href="/forgot-password">Reset your password</a>
          </p>
        </div>
      )}
      {data.view === "done" && (
        <div class="space-y-4">
          <Notice message={data.notice} />
          <p class={TEXT}>
            Every device is signed out of your account. Now choose a new
            password: we will email you a link to set it.
          </p>
          <p>
            <a class={PRIMARY} href="/forgot-password">
              Reset your password
            </a>
          </p>
        </div>
      )}
    </AuthCard>
  );
});
