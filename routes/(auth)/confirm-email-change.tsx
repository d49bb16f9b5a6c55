import { page } from "fresh";
import { Head } from "fresh/runtime";
import { TokenActionPage } from "../../components/TokenActionPage.tsx";
import { checkEmailChangeLink } from "../../lib/auth/change_email.ts";
import { asBodyError, BodyError } from "../../lib/http/body.ts";
import {
  accountDeps,
  confirmEmailChangeAction,
  TOKEN_PAGE_HEADERS,
} from "../../lib/web/account_actions.ts";
import { failureHeaders, failureStatus } from "../../lib/web/failure_answer.ts";
import { define } from "../../utils.ts";

const LINK = "font-medium text-indigo-700 underline dark:text-indigo-300";

interface Data {
  token: string | null;
  oldEmail?: string;
  newEmail?: string;
  error?: string;
  /** The address the account has now, once done. */
  done?: string;
}

export const handler = define.handlers<Data>({
  async GET(ctx) {
    const token = ctx.url.searchParams.get("token");
    const link = await checkEmailChangeLink(
      accountDeps(ctx.state.services),
      token,
      "confirm",
    );
    if (!link.ok) {
      return page({ token: null, error: link.error }, {
        status: 400,
        headers: TOKEN_PAGE_HEADERS,
      });
    }
    return page({ token, oldEmail: link.oldEmail, newEmail: link.newEmail }, {
      headers: TOKEN_PAGE_HEADERS,
    });
  },
  async POST(ctx) {
    const outcome = await confirmEmailChangeAction(ctx).catch(asBodyError);
    if (outcome instanceof BodyError) {
      return page({ token: null, error: outcome.message }, {
        status: outcome.status,
        headers: TOKEN_PAGE_HEADERS,
      });
    }
    if (!outcome.ok) {
      return page({ token: null, error: outcome.error }, {
        status: failureStatus(outcome),
        headers: { ...failureHeaders(outcome), ...TOKEN_PAGE_HEADERS },
      });
    }
    return page({ token: null, done: outcome.user.email }, {
      headers: TOKEN_PAGE_HEADERS,
    });
  },
});

export default define.page<typeof handler>(function ConfirmEmailChange(
  { data },
) {
  return (
    <>
      <Head>
        <title>Confirm your new email address · Islet</title>
        <meta name="referrer" content="no-referrer" />
      </Head>
      <TokenActionPage
        title="Confirm your new email address"
        action="/confirm-email-change"
        token={data.token}
        error={data.error}
        deadEnd={
          <p>
            <a class={LINK} href="/settings/email">
              Ask for a new link from your settings
            </a>
          </p>
        }
        button="Confirm this address"
        done={data.done && (
          <p data-testid="email-change-done">
            Your account now uses{" "}
            <strong class="break-words">{data.done}</strong>. Your old address
            was told, with a link that undoes the change for 7 days.
          </p>
        )}
      >
        <p>
          Move your account from{" "}
          <strong class="break-words">{data.oldEmail}</strong> to{" "}
          <strong class="break-words">{data.newEmail}</strong>?
        </p>
      </TokenActionPage>
    </>
  );
});
