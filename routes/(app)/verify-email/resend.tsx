import { page } from "fresh";
import { Head } from "fresh/runtime";
import { AuthCard } from "../../../components/AuthCard.tsx";
import { FormError } from "../../../components/Field.tsx";
import { Notice } from "../../../components/Notice.tsx";
import { ResendForm } from "../../../components/VerifyBanner.tsx";
import { asBodyError, BodyError } from "../../../lib/http/body.ts";
import {
  failureHeaders,
  failureStatus,
} from "../../../lib/web/failure_answer.ts";
import { flashCookie, takeFlash } from "../../../lib/web/flash.ts";
import { resendVerificationAction } from "../../../lib/web/verify_actions.ts";
import { define, requireSignedIn } from "../../../utils.ts";

interface Data {
  notice?: string | null;
  error?: string;
}

// The banner's "Send a new link" posts here (a plain form); the answer is
// post/redirect/get back to this page, which says what happened.
export const handler = define.handlers<Data>({
  GET(ctx) {
    const flash = takeFlash(ctx.req, ctx.state.services.config.secureCookies, [
      "verification_sent",
    ]);
    return page({ notice: flash.message }, { headers: flash.headers });
  },
  async POST(ctx) {
    const outcome = await resendVerificationAction(ctx).catch(asBodyError);
    if (outcome instanceof BodyError) {
      return page({ error: outcome.message }, { status: outcome.status });
    }
    if (!outcome.ok) {
      return page({ error: outcome.error }, {
        status: failureStatus(outcome),
        headers: failureHeaders(outcome),
      });
    }
    const secure = ctx.state.services.config.secureCookies;
    const headers = new Headers({ location: "/verify-email/resend" });
    if (!outcome.alreadyVerified) {
      headers.append(
        "set-cookie",
        flashCookie({ kind: "verification_sent" }, secure),
      );
    }
    return new Response(null, { status: 303, headers });
  },
});

export default define.page<typeof handler>(function Resend({ data, state }) {
  const { user } = requireSignedIn(state);
  const verified = user.emailVerifiedAt !== null;
  return (
    <AuthCard title="Confirm your email address">
      <Head>
        <title>Confirm your email address · Islet</title>
      </Head>
      <div class="space-y-4">
        <Notice message={data.notice} />
        <FormError message={data.error} />
        {verified
          ? (
            <p>
              <span class="font-medium break-words">{user.email}</span>{" "}
              is confirmed.
            </p>
          )
          : (
            <>
              <p class="break-words">
                We send confirmation links to{" "}
                <span class="font-medium">{user.email}</span>. Open the newest
                one and press its button.
              </p>
              <ResendForm label="Send a new link" />
            </>
          )}
        <a
          class="inline-block font-medium text-indigo-700 underline dark:text-indigo-300"
          href="/dashboard"
        >
          Back to your dashboard
        </a>
      </div>
    </AuthCard>
  );
});
