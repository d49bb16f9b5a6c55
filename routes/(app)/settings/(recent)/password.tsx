import { page } from "fresh";
import { Head } from "fresh/runtime";
import {
  Field,
  FormError,
  SubmitButton,
} from "../../../../components/Field.tsx";
import {
  MAX_PASSWORD_LENGTH,
  MIN_PASSWORD_LENGTH,
} from "../../../../lib/auth/limits.ts";
import { asBodyError, BodyError } from "../../../../lib/http/body.ts";
import { changePasswordAction } from "../../../../lib/web/account_actions.ts";
import {
  failureHeaders,
  failureStatus,
} from "../../../../lib/web/failure_answer.ts";
import { flashCookie } from "../../../../lib/web/flash.ts";
import { define } from "../../../../utils.ts";

interface Data {
  error?: string;
  fieldErrors?: Record<string, string>;
}

// A recent sign-in proof AND the current password in the form: a password
// change asks for the current one whatever else was proved (ASVS 5.0).
export const handler = define.handlers<Data>({
  GET() {
    return page({}, { headers: { "cache-control": "no-store" } });
  },
  // Post/redirect/get: the outcome travels in a flash to Security.
  async POST(ctx) {
    const outcome = await changePasswordAction(ctx).catch(asBodyError);
    if (outcome instanceof BodyError) {
      return page({ error: outcome.message }, { status: outcome.status });
    }
    if (!outcome.ok) {
      return page({ error: outcome.error, fieldErrors: outcome.details }, {
        status: failureStatus(outcome),
        headers: failureHeaders(outcome),
      });
    }
    return new Response(null, {
      status: 303,
      headers: {
        location: "/settings/security",
        "set-cookie": flashCookie(
          { kind: "password_changed", count: outcome.sessionsEnded },
          ctx.state.services.config.secureCookies,
        ),
      },
    });
  },
});

/** Settings, Change password. */
export default define.page<typeof handler>(function ChangePassword({ data }) {
  return (
    <section aria-labelledby="password-title" class="max-w-md">
      <Head>
        <title>Change password · Settings · Islet</title>
      </Head>
      <h2 id="password-title" class="text-2xl font-bold">Change password</h2>
      <p class="mt-2 text-sm text-slate-700 dark:text-slate-300">
        Every other device signed in to your account will be signed out; this
        one stays signed in.
      </p>
      <form method="post" class="mt-6 space-y-4" noValidate>
        <FormError message={data.error} />
        <Field
          id="currentPassword"
          name="currentPassword"
          type="password"
          label="Current password"
          autocomplete="current-password"
          required
          maxLength={MAX_PASSWORD_LENGTH}
          error={data.fieldErrors?.currentPassword}
        />
        <Field
          id="newPassword"
          name="newPassword"
          type="password"
          label="New password"
          autocomplete="new-password"
          required
          minLength={MIN_PASSWORD_LENGTH}
          maxLength={MAX_PASSWORD_LENGTH}
          hint={`${MIN_PASSWORD_LENGTH} to ${MAX_PASSWORD_LENGTH} characters. Not a common password, and not your email address.`}
          error={data.fieldErrors?.newPassword}
        />
        <SubmitButton label="Change password" pendingLabel="Saving…" />
      </form>
    </section>
  );
});
