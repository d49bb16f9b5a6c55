import { page } from "fresh";
import { Head } from "fresh/runtime";
import { asBodyError, BodyError } from "../../lib/http/body.ts";
import { signUpAction } from "../../lib/web/auth_actions.ts";
import { failureHeaders, failureStatus } from "../../lib/web/failure_answer.ts";
import { AuthCard } from "../../components/AuthCard.tsx";
import SignupForm from "../../islands/SignupForm.tsx";
import { define, isSignedIn } from "../../utils.ts";

interface Data {
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
    return new Response(null, {
      status: 303,
      headers: { location: "/dashboard", "set-cookie": outcome.cookie },
    });
  },
});

export default define.page<typeof handler>(function Signup({ data }) {
  return (
    <AuthCard title="Create your account">
      <Head>
        <title>Create an account · Islet</title>
      </Head>
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
