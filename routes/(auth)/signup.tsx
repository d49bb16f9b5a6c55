import { page } from "fresh";
import { Head } from "fresh/runtime";
import { asBodyError, BodyError } from "../../lib/http/body.ts";
import { signUpAction } from "../../lib/web/auth_actions.ts";
import { failureHeaders, failureStatus } from "../../lib/web/failure_answer.ts";
import { AuthCard } from "../../components/AuthCard.tsx";
import { CheckInbox } from "../../components/CheckInbox.tsx";
import { ProviderButtons } from "../../components/ProviderButtons.tsx";
import { safeNext } from "../../lib/web/safe_next.ts";
import SignupForm from "../../islands/SignupForm.tsx";
import { define, isSignedIn } from "../../utils.ts";

interface Data {
  /** Set once the sign-up went through: "Check your inbox at …". */
  sent?: string;
  email?: string;
  error?: string;
  fieldErrors?: Record<string, string>;
}

export const handler = define.handlers<Data>({
  GET(ctx) {
    if (isSignedIn(ctx.state)) return ctx.redirect("/dashboard", 303);
    return page({});
  },
  // The same form without JavaScript: errors re-render the page.
  async POST(ctx) {
    const outcome = await signUpAction(ctx).catch(asBodyError);
    if (outcome instanceof BodyError) {
      return page({ error: outcome.message }, { status: outcome.status });
    }
    if (!outcome.ok) {
      const error = outcome.by === "network"
        ? "Too many sign-ups from your network; try again later"
        : outcome.error;
      return page({
        email: outcome.email,
        error,
        fieldErrors: outcome.details,
      }, { status: failureStatus(outcome), headers: failureHeaders(outcome) });
    }
    // Rendered in place, not redirected: the address is shown back, and it
    // must not travel in a URL (logs, history) or a cookie to get there.
    // The same page for a new address and one that has an account.
    return page({ sent: outcome.message }, {
      headers: { "cache-control": "no-store" },
    });
  },
});

export default define.page<typeof handler>(function Signup({ data, ...p }) {
  if (data.sent) {
    return (
      <AuthCard title="Check your inbox">
        <Head>
          <title>Check your inbox · Islet</title>
        </Head>
        <CheckInbox message={data.sent} />
      </AuthCard>
    );
  }
  return (
    <AuthCard title="Create your account">
      <Head>
        <title>Create an account · Islet</title>
      </Head>
      <ProviderButtons
        providers={p.state.services.oauth.list}
        next={safeNext(p.url.searchParams.get("next"))}
      />
      <SignupForm
        email={data.email}
        error={data.error}
        fieldErrors={data.fieldErrors}
      />
      <p class="mt-6 text-sm">
        Already have an account?{" "}
        <a
          class="font-medium text-indigo-700 underline dark:text-indigo-300"
          href="/login"
        >
          Sign in
        </a>
      </p>
    </AuthCard>
  );
});
