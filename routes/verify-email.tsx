import { page } from "fresh";
import { Head } from "fresh/runtime";
import { AuthCard } from "../components/AuthCard.tsx";
import { FormError } from "../components/Field.tsx";
import { asBodyError, BodyError } from "../lib/http/body.ts";
import { failureHeaders, failureStatus } from "../lib/web/failure_answer.ts";
import { flashCookie, takeFlash } from "../lib/web/flash.ts";
import {
  TOKEN_PAGE_HEADERS,
  verifyEmailAction,
} from "../lib/web/verify_actions.ts";
import { define, isSignedIn } from "../utils.ts";

interface Data {
  /** The token from the link, put in the form: the button posts it. */
  token?: string;
  /** "Email confirmed." after the post. */
  confirmed?: boolean;
  error?: string;
  signedIn: boolean;
}

// Opening the link changes nothing: mail scanners and link previews open
// every link in a message, and must not confirm an address on their own.
// The page's button posts the token (in the body, never in a URL that a
// log would keep); the answer is post/redirect/get, so the page after it
// is rendered for the verified account (no banner) and a reload posts
// nothing.
export const handler = define.handlers<Data>({
  GET(ctx) {
    const signedIn = isSignedIn(ctx.state);
    const flash = takeFlash(ctx.req, ctx.state.services.config.secureCookies, [
      "email_verified",
    ]);
    const token = ctx.url.searchParams.get("token") ?? undefined;
    return page({
      token: flash.message ? undefined : token,
      confirmed: flash.message !== null,
      signedIn,
    }, { headers: { ...flash.headers, ...TOKEN_PAGE_HEADERS } });
  },
  async POST(ctx) {
    const signedIn = isSignedIn(ctx.state);
    const outcome = await verifyEmailAction(ctx).catch(asBodyError);
    if (outcome instanceof BodyError) {
      return page({ error: outcome.message, signedIn }, {
        status: outcome.status,
        headers: TOKEN_PAGE_HEADERS,
      });
    }
    if (!outcome.ok) {
      const error = outcome.reason === "rate_limited"
        ? "Too many attempts from your network; wait a few minutes and try again"
        : outcome.error;
      return page({ error, signedIn }, {
        status: failureStatus(outcome),
        headers: { ...failureHeaders(outcome), ...TOKEN_PAGE_HEADERS },
      });
    }
    const secure = ctx.state.services.config.secureCookies;
    const headers = new Headers({
      location: "/verify-email",
      ...TOKEN_PAGE_HEADERS,
    });
    headers.append(
      "set-cookie",
      flashCookie({ kind: "email_verified" }, secure),
    );
    return new Response(null, { status: 303, headers });
  },
});

const LINK_BUTTON =
  "inline-block rounded-md bg-indigo-700 px-4 py-2 font-medium text-white hover:bg-indigo-800";
const MUTED = "text-sm text-slate-700 dark:text-slate-300";

export default define.page<typeof handler>(function VerifyEmail({ data }) {
  const next = data.signedIn
    ? <a class={LINK_BUTTON} href="/dashboard">Continue to your dashboard</a>
    : <a class={LINK_BUTTON} href="/login">Sign in</a>;
  const head = (title: string) => (
    <Head>
      <title>{title} · Islet</title>
      <meta name="referrer" content="no-referrer" />
    </Head>
  );
  if (data.confirmed) {
    return (
      <AuthCard title="Email confirmed">
        {head("Email confirmed")}
        <div class="space-y-4">
          <p role="status" data-testid="notice">
            Your email address is confirmed. Thank you.
          </p>
          {next}
        </div>
      </AuthCard>
    );
  }
  if (data.error) {
    return (
      <AuthCard title="This link does not work">
        {head("Link not valid")}
        <div class="space-y-4">
          <FormError message={data.error} />
          {next}
        </div>
      </AuthCard>
    );
  }
  if (data.token === undefined) {
    return (
      <AuthCard title="Confirm your email address">
        {head("Confirm your email address")}
        <p class={MUTED}>
          Open the link in the email we sent you. If it has expired, sign in and
          send yourself a new one.
        </p>
      </AuthCard>
    );
  }
  return (
    <AuthCard title="Confirm your email address">
      {head("Confirm your email address")}
      <form method="post" action="/verify-email" class="space-y-4">
        <p class={MUTED}>
          Press the button to confirm that this address is yours.
        </p>
        <input type="hidden" name="token" value={data.token} />
        <button
          type="submit"
          class="w-full rounded-md bg-indigo-700 px-4 py-2 font-medium text-white hover:bg-indigo-800"
        >
          Confirm my email address
        </button>
      </form>
    </AuthCard>
  );
});
