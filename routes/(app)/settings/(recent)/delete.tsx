import { page } from "fresh";
import { Head } from "fresh/runtime";
import { deleteSessionCookie } from "../../../../lib/auth/cookie.ts";
import { deleteAccountAction } from "../../../../lib/web/account_data_actions.ts";
import {
  failureHeaders,
  failureStatus,
} from "../../../../lib/web/failure_answer.ts";
import { flashCookie } from "../../../../lib/web/flash.ts";
import { FormError } from "../../../../components/Field.tsx";
import { define, requireSignedIn } from "../../../../utils.ts";

interface Data {
  error?: string;
}

// The proof is a sign-in from the last 10 minutes (the confirm-access page
// asks for the password, and a code when two-factor is on), then the
// button: one password prompt, not two.
export const handler = define.handlers<Data>({
  GET() {
    return page({}, { headers: { "cache-control": "no-store" } });
  },
  async POST(ctx) {
    const outcome = await deleteAccountAction(ctx);
    if (!outcome.ok) {
      return page({ error: outcome.error }, {
        status: failureStatus(outcome),
        headers: failureHeaders(outcome),
      });
    }
    // Gone: the cookie goes too, and the sign-in page says what happened.
    const secure = ctx.state.services.config.secureCookies;
    const headers = new Headers({ location: "/login" });
    headers.append("set-cookie", deleteSessionCookie(secure));
    headers.append(
      "set-cookie",
      flashCookie({ kind: "account_deleted" }, secure),
    );
    return new Response(null, { status: 303, headers });
  },
});

const ITEM = "ml-5 list-disc";

/** The confirmation before an account is deleted: what goes, what stays. */
export default define.page<typeof handler>(function DeleteAccount(
  { data, state },
) {
  const { user } = requireSignedIn(state);
  return (
    <section aria-labelledby="delete-title" class="max-w-xl space-y-6">
      <Head>
        <title>Delete your account · Settings · Islet</title>
      </Head>
      <h2 id="delete-title" class="text-2xl font-bold">
        Delete your account
      </h2>
      <p class="text-slate-700 dark:text-slate-300">
        This deletes the account{" "}
        <strong class="break-words">{user.email}</strong>{" "}
        at once and for good. It cannot be undone.
      </p>
      <div class="space-y-2 text-sm text-slate-700 dark:text-slate-300">
        <p class="font-medium text-slate-900 dark:text-slate-100">
          What is removed
        </p>
        <ul class="space-y-1">
          <li class={ITEM}>Your profile: email address, username, password</li>
          <li class={ITEM}>Your preferences</li>
          <li class={ITEM}>
            Every session: every device signed in, this one included, is signed
            out
          </li>
          <li class={ITEM}>
            Linked sign-in methods, two-factor settings and recovery codes
          </li>
          <li class={ITEM}>Subscriptions and any links we have emailed you</li>
        </ul>
        <p class="pt-2 font-medium text-slate-900 dark:text-slate-100">
          What is kept
        </p>
        <ul class="space-y-1">
          <li class={ITEM}>
            The security log's entries (what happened and when), without your
            account, address or device
          </li>
        </ul>
        <p class="pt-2">
          We send one last email to {user.email}{" "}
          to confirm the deletion. Want a copy of your data first?{" "}
          <a
            class="font-medium text-indigo-700 underline dark:text-indigo-300"
            href="/settings/data"
          >
            Download it
          </a>.
        </p>
      </div>
      <form
        method="post"
        action="/settings/delete"
        class="space-y-4"
        noValidate
      >
        <FormError message={data.error} />
        <div class="flex flex-wrap items-center gap-4">
          <button
            type="submit"
            class="rounded-md bg-red-700 px-4 py-2 text-sm font-medium text-white hover:bg-red-800"
          >
            Delete my account permanently
          </button>
          <a
            href="/settings/data"
            class="text-sm font-medium text-indigo-700 underline dark:text-indigo-300"
          >
            Cancel
          </a>
        </div>
      </form>
    </section>
  );
});
