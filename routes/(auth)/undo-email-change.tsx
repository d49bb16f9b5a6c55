import { Head } from "fresh/runtime";
import { TokenActionPage } from "../../components/TokenActionPage.tsx";
import {
  type EmailChangeLinkData,
  emailChangeLinkHandlers,
} from "../../lib/web/email_change_link.ts";
import { define } from "../../utils.ts";

const LINK = "font-medium text-indigo-700 underline dark:text-indigo-300";

export const handler = define.handlers<EmailChangeLinkData>(
  emailChangeLinkHandlers("undo"),
);

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
