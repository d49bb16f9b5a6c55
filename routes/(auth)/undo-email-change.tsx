import { page } from "fresh";
import { Head } from "fresh/runtime";
import { TokenActionPage } from "../../components/TokenActionPage.tsx";
import { checkEmailChangeLink } from "../../lib/auth/change_email.ts";
import { asBodyError, BodyError } from "../../lib/http/body.ts";
import {
  accountDeps,
  TOKEN_PAGE_HEADERS,
  undoEmailChangeAction,
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
      "undo",
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
    const outcome = await undoEmailChangeAction(ctx).catch(asBodyError);
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

export default define.page<typeof handler>(function UndoEmailChange(
  { data },
) {
  return (
    <>
      <Head>
        <title>Undo the email change · Islet</title>
        <meta name="referrer" content="no-referrer" />
      </Head>
      <TokenActionPage
        title="Undo the email change"
        action="/undo-email-change"
        token={data.token}
        error={data.error}
        deadEnd={
          <p>
            <a class={LINK} href="/forgot-password">Reset your password</a>
          </p>
        }
        button="Put my old address back"
        done={data.done && (
          <>
            <p data-testid="email-change-done">
              Your account uses <strong class="break-words">{data.done}</strong>
              {" "}
              again, and every device was signed out.
            </p>
            <p>
              We sent that address a link to choose a new password: whoever
              changed your address may know the old one.
            </p>
          </>
        )}
      >
        <p>
          Your account was moved from{" "}
          <strong class="break-words">{data.oldEmail}</strong> to{" "}
          <strong class="break-words">{data.newEmail}</strong>. Put{" "}
          <strong class="break-words">{data.oldEmail}</strong>{" "}
          back? Every device signed in to the account will be signed out.
        </p>
      </TokenActionPage>
    </>
  );
});
