import { page } from "fresh";
import { Head } from "fresh/runtime";
import {
  Field,
  FormError,
  SubmitButton,
} from "../../../../components/Field.tsx";
import { MAX_EMAIL_LENGTH } from "../../../../lib/auth/limits.ts";
import { asBodyError, BodyError } from "../../../../lib/http/body.ts";
import { changeEmailAction } from "../../../../lib/web/account_actions.ts";
import {
  failureHeaders,
  failureStatus,
} from "../../../../lib/web/failure_answer.ts";
import { flashCookie } from "../../../../lib/web/flash.ts";
import { define, requireSignedIn } from "../../../../utils.ts";

interface Data {
  email?: string;
  error?: string;
  fieldErrors?: Record<string, string>;
}

// A sign-in proof from the last 10 minutes (asked for by this group's
// middleware, on the confirm-access page) is
// what stands for the password here.
export const handler = define.handlers<Data>({
  GET() {
    return page({}, { headers: { "cache-control": "no-store" } });
  },
  // Post/redirect/get: the same notice whether the address was free or
  // taken (the answer reveals nothing).
  async POST(ctx) {
    const outcome = await changeEmailAction(ctx).catch(asBodyError);
    if (outcome instanceof BodyError) {
      return page({ error: outcome.message }, { status: outcome.status });
    }
    if (!outcome.ok) {
      return page({
        email: outcome.typed?.email,
        error: outcome.error,
        fieldErrors: outcome.details,
      }, { status: failureStatus(outcome), headers: failureHeaders(outcome) });
    }
    return new Response(null, {
      status: 303,
      headers: {
        location: "/settings",
        "set-cookie": flashCookie(
          { kind: "email_change_sent" },
          ctx.state.services.config.secureCookies,
        ),
      },
    });
  },
});

/** Settings, Change email. */
export default define.page<typeof handler>(function ChangeEmail(
  { data, state },
) {
  const { user } = requireSignedIn(state);
  return (
    <section aria-labelledby="email-title" class="max-w-md">
      <Head>
        <title>Change email · Settings · Islet</title>
      </Head>
      <h2 id="email-title" class="text-2xl font-bold">Change email</h2>
      <p class="mt-2 text-sm text-slate-700 dark:text-slate-300">
        Your account uses <strong class="break-words">{user.email}</strong>{" "}
        until you open the link we send to the new address. Then this address is
        told, with a link that undoes the change for 7 days.
      </p>
      <form method="post" class="mt-6 space-y-4" noValidate>
        <FormError message={data.error} />
        <Field
          id="email"
          name="email"
          type="email"
          label="New email address"
          autocomplete="email"
          required
          maxLength={MAX_EMAIL_LENGTH}
          value={data.email}
          error={data.fieldErrors?.email}
        />
        <SubmitButton
          label="Send the confirmation link"
          pendingLabel="Sending…"
        />
      </form>
    </section>
  );
});
