import { page } from "fresh";
import { Head } from "fresh/runtime";
import { AuthCard } from "../../components/AuthCard.tsx";
import { Field, FormError, SubmitButton } from "../../components/Field.tsx";
import { MAX_EMAIL_LENGTH } from "../../lib/auth/limits.ts";
import { asBodyError, BodyError } from "../../lib/http/body.ts";
import { forgotPasswordAction } from "../../lib/web/account_actions.ts";
import { failureHeaders, failureStatus } from "../../lib/web/failure_answer.ts";
import { define } from "../../utils.ts";

interface Data {
  /** Set once the request was taken: the address it was for. */
  sentTo?: string;
  email?: string;
  error?: string;
  fieldErrors?: Record<string, string>;
}

const LINK = "font-medium text-indigo-700 underline dark:text-indigo-300";

export const handler = define.handlers<Data>({
  GET() {
    return page({});
  },
  // A plain form: works without JavaScript.
  async POST(ctx) {
    const outcome = await forgotPasswordAction(ctx).catch(asBodyError);
    if (outcome instanceof BodyError) {
      return page({ error: outcome.message }, { status: outcome.status });
    }
    if (!outcome.ok) {
      return page({
        email: outcome.typed?.email,
        error: outcome.error,
        fieldErrors: outcome.details,
      }, {
        status: failureStatus(outcome),
        headers: failureHeaders(outcome),
      });
    }
    return page({ sentTo: outcome.email });
  },
});

export default define.page<typeof handler>(function ForgotPassword({ data }) {
  return (
    <AuthCard title="Reset your password">
      <Head>
        <title>Reset your password · Islet</title>
      </Head>
      {data.sentTo
        ? (
          <div role="status" class="space-y-4" data-testid="reset-sent">
            <p>
              If an account uses{" "}
              <strong class="break-words">{data.sentTo}</strong>, we sent it a
              link to choose a new password. The link works once, within one
              hour.
            </p>
            <p class="text-sm text-slate-700 dark:text-slate-300">
              Nothing arrived? Check the spam folder, or make sure you typed the
              address you signed up with.
            </p>
          </div>
        )
        : (
          <form method="post" class="space-y-4" noValidate>
            <p class="text-sm text-slate-700 dark:text-slate-300">
              Enter the email address of your account and we will send you a
              link to choose a new password.
            </p>
            <FormError message={data.error} />
            <Field
              id="email"
              name="email"
              type="email"
              label="Email"
              autocomplete="email"
              required
              maxLength={MAX_EMAIL_LENGTH}
              value={data.email}
              error={data.fieldErrors?.email}
            />
            <SubmitButton label="Send the link" pendingLabel="Sending…" />
          </form>
        )}
      <p class="mt-6 text-sm">
        <a class={LINK} href="/login">Back to sign in</a>
      </p>
    </AuthCard>
  );
});
