import { page } from "fresh";
import { Head } from "fresh/runtime";
import { exportAccount, exportResponse } from "../../../lib/account/export.ts";
import { readInput } from "../../../lib/http/body.ts";
import { PublicError } from "../../../lib/http/public_error.ts";
import { requestMeta } from "../../../lib/web/auth.ts";
import {
  failureHeaders,
  failureStatus,
} from "../../../lib/web/failure_answer.ts";
import { limitByUser } from "../../../lib/web/limit_user.ts";
import { define, requireSignedIn } from "../../../utils.ts";

interface Data {
  error?: string;
}

export const handler = define.handlers<Data>({
  GET() {
    return page({}, { headers: { "cache-control": "no-store" } });
  },
  // A plain form post answers with the file itself, so the download works
  // without JavaScript; a refusal re-renders this page and says why.
  async POST(ctx) {
    const { services } = ctx.state;
    const { user } = requireSignedIn(ctx.state);
    const input = await readInput(ctx.req);
    if (input.action !== "export") {
      throw new PublicError(400, "That form did not say what to do.");
    }
    const limited = await limitByUser(ctx, "export", user.id);
    if (limited) {
      return page({ error: limited.error }, {
        status: failureStatus(limited),
        headers: failureHeaders(limited),
      });
    }
    const built = await exportAccount(services.db, user.id, requestMeta(ctx));
    // The session outlived its account: nothing to export.
    if (built === null) throw new PublicError(404, "This account is gone.");
    return exportResponse(built);
  },
});

const BUTTON =
  "rounded-md bg-indigo-700 px-4 py-2 text-sm font-medium text-white hover:bg-indigo-800";

/** Settings, Your data: take a copy, or delete the account. */
export default define.page<typeof handler>(function DataSettings({ data }) {
  return (
    <section aria-labelledby="data-title" class="space-y-8">
      <Head>
        <title>Your data · Settings · Islet</title>
      </Head>
      <h2 id="data-title" class="text-2xl font-bold">Your data</h2>
      <section aria-labelledby="export-title" class="space-y-3">
        <h3 id="export-title" class="text-lg font-semibold">
          Download a copy
        </h3>
        <p class="text-sm text-slate-700 dark:text-slate-300">
          One JSON file with everything Islet stores about your account: your
          profile, preferences, sessions, security activity and linked sign-in
          methods. Passwords, session keys and other secrets are never included,
          not even in scrambled form.
        </p>
        {data.error && (
          <p
            role="alert"
            class="text-sm font-medium text-red-700 dark:text-red-400"
          >
            {data.error}
          </p>
        )}
        <form method="post" action="/settings/data">
          <input type="hidden" name="action" value="export" />
          <button type="submit" class={BUTTON}>Download my data</button>
        </form>
      </section>
      <section
        aria-labelledby="delete-title"
        class="space-y-3 border-t border-slate-200 pt-6 dark:border-slate-800"
      >
        <h3 id="delete-title" class="text-lg font-semibold">
          Delete your account
        </h3>
        <p class="text-sm text-slate-700 dark:text-slate-300">
          Removes your account and everything stored with it, for good. You will
          be asked to confirm with your password first.
        </p>
        <p>
          <a
            href="/settings/delete"
            class="inline-block rounded-md border border-red-700 px-4 py-2 text-sm font-medium text-red-700 hover:bg-red-50 dark:border-red-400 dark:text-red-300 dark:hover:bg-red-950"
          >
            Delete my account…
          </a>
        </p>
      </section>
    </section>
  );
});
