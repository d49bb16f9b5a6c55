import { page } from "fresh";
import { Head } from "fresh/runtime";
import { AuthCard } from "../../components/AuthCard.tsx";
import { Field, FormError, SubmitButton } from "../../components/Field.tsx";
import { NO_PASSWORD_TO_CONFIRM } from "../../lib/auth/confirm_access.ts";
import { MAX_PASSWORD_LENGTH } from "../../lib/auth/limits.ts";
import { asBodyError, BodyError } from "../../lib/http/body.ts";
import { confirmAccessAction } from "../../lib/web/account_actions.ts";
import {
  type SignInAgainLink,
  signInAgainLinks,
} from "../../lib/web/connections_actions.ts";
import { failureHeaders, failureStatus } from "../../lib/web/failure_answer.ts";
import { safeNext } from "../../lib/web/safe_next.ts";
import { define, requireSignedIn } from "../../utils.ts";

/** Where to go back to when `?next=` names nothing usable. */
const FALLBACK = "/settings";

/** Which second factor the form asks for (two-factor accounts). */
type Method = "code" | "recovery";

interface Data {
  next: string;
  method: Method;
  /** An account without a password: its providers, to sign in with again. */
  providers: SignInAgainLink[];
  error?: string;
  fieldErrors?: Record<string, string>;
}

function target(url: URL): { next: string; method: Method } {
  return {
    next: safeNext(url.searchParams.get("next"), FALLBACK),
    method: url.searchParams.get("method") === "recovery" ? "recovery" : "code",
  };
}

export const handler = define.handlers<Data>({
  async GET(ctx) {
    const { next, method } = target(ctx.url);
    const providers = await signInAgainLinks(ctx, next);
    return page({ next, method, providers }, {
      headers: { "cache-control": "no-store" },
    });
  },
  // Post/redirect/get: back to the action that asked, now allowed.
  async POST(ctx) {
    const { next, method } = target(ctx.url);
    const outcome = await confirmAccessAction(ctx).catch(asBodyError);
    const providers = outcome instanceof BodyError || !outcome.ok
      ? await signInAgainLinks(ctx, next)
      : [];
    if (outcome instanceof BodyError) {
      return page({ next, method, providers, error: outcome.message }, {
        status: outcome.status,
      });
    }
    if (!outcome.ok) {
      return page({
        next,
        method,
        providers,
        error: outcome.error,
        fieldErrors: outcome.details,
      }, { status: failureStatus(outcome), headers: failureHeaders(outcome) });
    }
    return new Response(null, {
      status: 303,
      headers: { location: next, "cache-control": "no-store" },
    });
  },
});

const LINK =
  "font-medium text-indigo-700 underline hover:no-underline dark:text-indigo-300";

/** This page again, asking for the other kind of second factor. */
function methodHref(next: string, method: Method): string {
  const query = new URLSearchParams({ next });
  if (method === "recovery") query.set("method", "recovery");
  return `/confirm-access?${query}`;
}

/**
 * Confirm it is you: the password (and a code when two-factor is on)
 * before a sensitive change; then back to it.
 */
export default define.page<typeof handler>(function ConfirmAccess(
  { data, state },
) {
  const { user } = requireSignedIn(state);
  const { next, method } = data;
  const asked = !user.hasPassword
    ? "a new sign-in"
    : !user.twoFactorEnabled
    ? "your password"
    : method === "code"
    ? "your password and a code from your authenticator app"
    : "your password and one of your recovery codes";
  return (
    <AuthCard title="Confirm it is you">
      <Head>
        <title>Confirm it is you · Islet</title>
      </Head>
      <p class="text-sm text-slate-700 dark:text-slate-300">
        This change needs proof that it is really you: {asked}.{" "}
        We will not ask again for the next 10 minutes.
      </p>
      <p class="mt-2 text-sm text-slate-700 dark:text-slate-300">
        Signed in as <span class="break-words font-medium">{user.email}</span>.
      </p>
      {user.hasPassword
        ? (
          <form method="post" class="mt-6 space-y-4" noValidate>
            <FormError message={data.error} />
            <Field
              id="password"
              name="password"
              type="password"
              label="Password"
              autocomplete="current-password"
              required
              maxLength={MAX_PASSWORD_LENGTH}
              error={data.fieldErrors?.password}
            />
            {user.twoFactorEnabled && method === "code" && (
              <Field
                id="code"
                name="code"
                type="text"
                label="Code from your authenticator app"
                inputMode="numeric"
                autocomplete="one-time-code"
                required
                maxLength={12}
                hint="The 6 digits your app shows now."
                error={data.fieldErrors?.code}
              />
            )}
            {user.twoFactorEnabled && method === "recovery" && (
              <Field
                id="recoveryCode"
                name="recoveryCode"
                type="text"
                label="Recovery code"
                autocomplete="off"
                spellcheck={false}
                required
                maxLength={32}
                hint="One of the codes you saved when you turned on two-factor authentication. Each works once."
                error={data.fieldErrors?.recoveryCode}
              />
            )}
            <SubmitButton label="Confirm" pendingLabel="Checking…" />
            {user.twoFactorEnabled && (
              <p class="text-sm">
                <a
                  class={LINK}
                  href={methodHref(
                    next,
                    method === "code" ? "recovery" : "code",
                  )}
                >
                  {method === "code"
                    ? "Use a recovery code instead"
                    : "Use a code from your authenticator app instead"}
                </a>
              </p>
            )}
          </form>
        )
        : data.providers.length > 0
        ? (
          // A new sign-in through the provider is the proof: it starts a
          // new session, signed in just now, and comes back to `next`.
          <div class="mt-6 space-y-4">
            <FormError message={data.error} />
            <p class="text-sm">
              Your account has no password. Sign in again with{" "}
              {data.providers.length === 1
                ? "the account connected to it"
                : "one of the accounts connected to it"}, and you will come back
              to the change you were making.
            </p>
            <ul class="space-y-2">
              {data.providers.map((p) => (
                <li key={p.href}>
                  <a
                    href={p.href}
                    class="block w-full rounded-md bg-indigo-700 px-4 py-2 text-center font-medium text-white hover:bg-indigo-800"
                  >
                    Continue with {p.name}
                  </a>
                </li>
              ))}
            </ul>
          </div>
        )
        : (
          <div class="mt-6 space-y-4">
            <p role="alert" class="text-sm font-medium">
              {NO_PASSWORD_TO_CONFIRM}
            </p>
            <form method="post" action="/api/auth/logout">
              <button
                type="submit"
                class="w-full rounded-md bg-indigo-700 px-4 py-2 font-medium text-white hover:bg-indigo-800"
              >
                Sign out
              </button>
            </form>
          </div>
        )}
      <p class="mt-6 text-sm">
        <a class={LINK} href={FALLBACK}>Cancel</a>
      </p>
    </AuthCard>
  );
});
