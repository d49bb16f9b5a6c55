import { page } from "fresh";
import { Head } from "fresh/runtime";
import { AuthCard } from "../../../components/AuthCard.tsx";
import { Field, FormError, SubmitButton } from "../../../components/Field.tsx";
import { asBodyError, BodyError } from "../../../lib/http/body.ts";
import { safeNext } from "../../../lib/web/safe_next.ts";
import {
  isNotPending,
  type NotPending,
  pendingSignIn,
  secondFactorAction,
} from "../../../lib/web/second_factor_actions.ts";
import { secondFactorPage } from "../../../lib/web/second_factor_paths.ts";
import {
  failureHeaders,
  failureStatus,
} from "../../../lib/web/failure_answer.ts";
import { flashCookie } from "../../../lib/web/flash.ts";
import { define, type State } from "../../../utils.ts";
import type { Context } from "fresh";

interface Data {
  next: string;
  /** The recovery-code variant of the page. */
  recovery: boolean;
  error?: string;
  fieldErrors?: Record<string, string>;
}

const LINK = "font-medium text-indigo-700 underline dark:text-indigo-300";
const NO_STORE = { "cache-control": "no-store" };

function wanted(ctx: Context<State>) {
  return {
    next: safeNext(ctx.url.searchParams.get("next")),
    recovery: ctx.url.searchParams.get("method") === "recovery",
  };
}

/**
 * Not a sign-in waiting for its code: signed in already goes on to
 * `next`; signed out goes to sign in, told when its sign-in timed out.
 */
function elsewhere(ctx: Context<State>, why: NotPending, next: string) {
  if (why.reason === "signed_in") {
    return new Response(null, {
      status: 303,
      headers: { location: next, ...NO_STORE },
    });
  }
  const headers = new Headers({
    location: `/login?next=${encodeURIComponent(next)}`,
    ...NO_STORE,
  });
  if (why.reason === "timed_out") {
    const secure = ctx.state.services.config.secureCookies;
    headers.append(
      "set-cookie",
      flashCookie({ kind: "sign_in_timed_out" }, secure),
    );
  }
  return new Response(null, { status: 303, headers });
}

export const handler = define.handlers<Data>({
  GET(ctx) {
    const { next, recovery } = wanted(ctx);
    const found = pendingSignIn(ctx);
    if (!found.ok) return elsewhere(ctx, found, next);
    return page({ next, recovery }, { headers: NO_STORE });
  },
  // A plain form: works without JavaScript. Errors re-render the page.
  async POST(ctx) {
    const { next, recovery } = wanted(ctx);
    const outcome = await secondFactorAction(ctx).catch(asBodyError);
    if (outcome instanceof BodyError) {
      return page({ next, recovery, error: outcome.message }, {
        status: outcome.status,
        headers: NO_STORE,
      });
    }
    if (outcome.ok) {
      const secure = ctx.state.services.config.secureCookies;
      const headers = new Headers({ location: next, ...NO_STORE });
      headers.append("set-cookie", outcome.cookie);
      if (outcome.method === "recovery_code") {
        // The next page says how many are left (lib/web/page_banner.ts).
        headers.append(
          "set-cookie",
          flashCookie({
            kind: "recovery_code_used",
            count: outcome.recoveryCodesLeft,
          }, secure),
        );
      }
      return new Response(null, { status: 303, headers });
    }
    if (isNotPending(outcome)) return elsewhere(ctx, outcome, next);
    const error = outcome.by === "network"
      ? "Too many attempts from your network; wait a few minutes and try again"
      : outcome.error;
    return page({ next, recovery, error, fieldErrors: outcome.details }, {
      status: failureStatus(outcome),
      headers: { ...failureHeaders(outcome), ...NO_STORE },
    });
  },
});

export default define.page<typeof handler>(function TwoFactorSignIn(
  { data },
) {
  const { next, recovery } = data;
  const fields = data.fieldErrors ?? {};
  const hasField = Object.values(fields).some(Boolean);
  const action = secondFactorPage(next, recovery);
  const title = recovery ? "Enter a recovery code" : "Enter your code";
  return (
    <AuthCard title={title}>
      <Head>
        <title>{title} · Islet</title>
      </Head>
      <form method="post" action={action} class="space-y-4">
        <p class="text-sm text-slate-700 dark:text-slate-300">
          {recovery
            ? "Your account has two-factor sign-in. Enter one of the recovery codes you saved when you turned it on; each works once."
            : "Your account has two-factor sign-in. Open your authenticator app and enter the 6-digit code it shows for Islet."}
        </p>
        <FormError message={hasField ? undefined : data.error} />
        {recovery
          ? (
            <Field
              id="recovery-code"
              name="recoveryCode"
              type="text"
              label="Recovery code"
              hint="Dashes, spaces and capitals do not matter."
              autocomplete="off"
              autocapitalize="none"
              spellcheck={false}
              required
              maxLength={64}
              error={fields.recoveryCode}
            />
          )
          : (
            <Field
              id="code"
              name="code"
              type="text"
              label="6-digit code"
              inputMode="numeric"
              autocomplete="one-time-code"
              pattern="[0-9]{3} ?[0-9]{3}"
              required
              maxLength={7}
              error={fields.code}
            />
          )}
        <SubmitButton label="Continue" pendingLabel="Checking…" />
      </form>
      <p class="mt-6 text-sm">
        <a class={LINK} href={secondFactorPage(next, !recovery)}>
          {recovery
            ? "Use your authenticator app instead"
            : "Use a recovery code instead"}
        </a>
      </p>
      <form method="post" action="/api/auth/logout" class="mt-3">
        <button type="submit" class={`${LINK} text-sm`}>
          Cancel and sign out
        </button>
      </form>
    </AuthCard>
  );
});
