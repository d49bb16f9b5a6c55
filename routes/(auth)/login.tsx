import { page } from "fresh";
import { Head } from "fresh/runtime";
import { asBodyError, BodyError } from "../../lib/http/body.ts";
import { safeNext } from "../../lib/web/auth.ts";
import { signInAction } from "../../lib/web/auth_actions.ts";
import { secondFactorPage } from "../../lib/web/second_factor_paths.ts";
import { failureHeaders, failureStatus } from "../../lib/web/failure_answer.ts";
import { takeFlash } from "../../lib/web/flash.ts";
import { AuthCard } from "../../components/AuthCard.tsx";
import { Notice } from "../../components/Notice.tsx";
import { ProviderButtons } from "../../components/ProviderButtons.tsx";
import LoginForm from "../../islands/LoginForm.tsx";
import { define, isSignedIn } from "../../utils.ts";

interface Data {
  next: string;
  email?: string;
  error?: string;
  fieldErrors?: Record<string, string>;
  /** A one-time notice: "You have signed out." */
  notice?: string | null;
  /**
   * This browser's sign-in waits for its code: the code page, to go back
   * to. The form still works (signing in again replaces that sign-in).
   */
  codePage?: string;
}

export const handler = define.handlers<Data>({
  GET(ctx) {
    const next = safeNext(ctx.url.searchParams.get("next"));
    if (isSignedIn(ctx.state)) return ctx.redirect(next, 303);
    const flash = takeFlash(ctx.req, ctx.state.services.config.secureCookies, [
      "signed_out",
      "session_expired",
      "password_reset",
      "account_deleted",
      "sign_in_timed_out",
    ]);
    // A sign-in waiting for its code is signed out here, as everywhere but
    // the code page; it is offered, not forced, so someone who cannot give
    // the code can start over, or sign in to another account.
    const codePage = ctx.state.auth.kind === "second_factor_pending"
      ? secondFactorPage(next)
      : undefined;
    return page({ next, notice: flash.message, codePage }, {
      headers: flash.headers,
    });
  },
  // The same form without JavaScript: errors re-render the page.
  async POST(ctx) {
    const next = safeNext(ctx.url.searchParams.get("next"));
    const outcome = await signInAction(ctx).catch(asBodyError);
    if (outcome instanceof BodyError) {
      return page({ next, error: outcome.message }, { status: outcome.status });
    }
    if (!outcome.ok) {
      const error = outcome.by === "network"
        ? "Too many attempts from your network; wait a few minutes and try again"
        : outcome.error;
      return page({
        next,
        email: outcome.email,
        error,
        fieldErrors: outcome.details,
      }, { status: failureStatus(outcome), headers: failureHeaders(outcome) });
    }
    const location = outcome.secondFactor ? secondFactorPage(next) : next;
    return new Response(null, {
      status: 303,
      headers: { location, "set-cookie": outcome.cookie },
    });
  },
});

export default define.page<typeof handler>(function Login({ data, state }) {
  return (
    <AuthCard title="Sign in">
      <Head>
        <title>Sign in · Islet</title>
      </Head>
      <Notice message={data.notice} class="mb-6" />
      {data.codePage && (
        <p
          class="mb-6 rounded-md border border-slate-300 px-3 py-2 text-sm dark:border-slate-700"
          data-testid="code-owed"
        >
          Your sign-in is waiting for a code.{" "}
          <a
            class="font-medium text-indigo-700 underline dark:text-indigo-300"
            href={data.codePage}
          >
            Enter the code
          </a>, or sign in again below.
        </p>
      )}
      <ProviderButtons providers={state.services.oauth.list} next={data.next} />
      <LoginForm
        next={data.next}
        email={data.email}
        error={data.error}
        fieldErrors={data.fieldErrors}
      />
      <p class="mt-6 text-sm">
        <a
          class="font-medium text-indigo-700 underline dark:text-indigo-300"
          href="/forgot-password"
        >
          Forgot your password?
        </a>
      </p>
      <p class="mt-3 text-sm">
        New here?{" "}
        <a
          class="font-medium text-indigo-700 underline dark:text-indigo-300"
          href="/signup"
        >
          Create an account
        </a>
      </p>
    </AuthCard>
  );
});
