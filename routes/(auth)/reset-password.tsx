import { page } from "fresh";
import { Head } from "fresh/runtime";
import { AuthCard } from "../../components/AuthCard.tsx";
import { Field, FormError, SubmitButton } from "../../components/Field.tsx";
import { deleteSessionCookie } from "../../lib/auth/cookie.ts";
import {
  MAX_PASSWORD_LENGTH,
  MIN_PASSWORD_LENGTH,
} from "../../lib/auth/limits.ts";
import { checkResetLink } from "../../lib/auth/password_reset.ts";
import { asBodyError, BodyError } from "../../lib/http/body.ts";
import {
  accountDeps,
  resetPasswordAction,
  TOKEN_PAGE_HEADERS,
} from "../../lib/web/account_actions.ts";
import { failureHeaders, failureStatus } from "../../lib/web/failure_answer.ts";
import { flashCookie } from "../../lib/web/flash.ts";
import { define } from "../../utils.ts";

interface Data {
  /** The token, for the hidden field; null when the link does not work. */
  token: string | null;
  email?: string;
  error?: string;
  fieldErrors?: Record<string, string>;
}

const LINK = "font-medium text-indigo-700 underline dark:text-indigo-300";

// The token travels in the URL of the mailed link (GET) and in a hidden
// field of the POST, never in the POST's URL, so it is not in access logs
// of the form's submission; no-referrer keeps it from leaving in a Referer.
export const handler = define.handlers<Data>({
  async GET(ctx) {
    const token = ctx.url.searchParams.get("token");
    const link = await checkResetLink(
      accountDeps(ctx.state.services),
      token,
    );
    if (!link.ok) {
      return page({ token: null, error: link.error }, {
        status: 400,
        headers: TOKEN_PAGE_HEADERS,
      });
    }
    return page({ token, email: link.email }, { headers: TOKEN_PAGE_HEADERS });
  },
  async POST(ctx) {
    const outcome = await resetPasswordAction(ctx).catch(asBodyError);
    if (outcome instanceof BodyError) {
      return page({ token: null, error: outcome.message }, {
        status: outcome.status,
        headers: TOKEN_PAGE_HEADERS,
      });
    }
    if (!outcome.ok) {
      // A dead link shows no form; a refused password keeps the link.
      const linkDead = outcome.details?.token !== undefined ||
        outcome.reason === "rate_limited";
      return page({
        token: linkDead ? null : outcome.typed?.token ?? null,
        error: outcome.error,
        fieldErrors: outcome.details,
      }, {
        status: failureStatus(outcome),
        headers: { ...failureHeaders(outcome), ...TOKEN_PAGE_HEADERS },
      });
    }
    // Every session ended, this browser's too: its cookie goes, and the
    // sign-in page says what happened.
    const secure = ctx.state.services.config.secureCookies;
    const headers = new Headers({ location: "/login", ...TOKEN_PAGE_HEADERS });
    headers.append("set-cookie", deleteSessionCookie(secure));
    headers.append(
      "set-cookie",
      flashCookie({ kind: "password_reset" }, secure),
    );
    return new Response(null, { status: 303, headers });
  },
});

export default define.page<typeof handler>(function ResetPassword({ data }) {
  return (
    <AuthCard title="Choose a new password">
      <Head>
        <title>Choose a new password · Islet</title>
        <meta name="referrer" content="no-referrer" />
      </Head>
      {data.token === null
        ? (
          <div class="space-y-4">
            <FormError message={data.error} />
            <p>
              <a class={LINK} href="/forgot-password">Ask for a new link</a>
            </p>
          </div>
        )
        : (
          <form
            method="post"
            action="/reset-password"
            class="space-y-4"
            noValidate
          >
            {data.email && (
              <p class="text-sm text-slate-700 dark:text-slate-300">
                For the account{" "}
                <strong class="break-words">{data.email}</strong>. Every device
                signed in to it will be signed out.
              </p>
            )}
            <FormError message={data.error} />
            <input type="hidden" name="token" value={data.token} />
            <Field
              id="password"
              name="password"
              type="password"
              label="New password"
              autocomplete="new-password"
              required
              minLength={MIN_PASSWORD_LENGTH}
              maxLength={MAX_PASSWORD_LENGTH}
              hint={`${MIN_PASSWORD_LENGTH} to ${MAX_PASSWORD_LENGTH} characters. Not a common password, and not your email address.`}
              error={data.fieldErrors?.password}
            />
            <SubmitButton label="Set the new password" pendingLabel="Saving…" />
          </form>
        )}
    </AuthCard>
  );
});
