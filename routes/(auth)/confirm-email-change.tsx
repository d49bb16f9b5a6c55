import { Head } from "fresh/runtime";
import { TokenActionPage } from "../../components/TokenActionPage.tsx";
import {
  type EmailChangeLinkData,
  emailChangeLinkHandlers,
} from "../../lib/web/email_change_link.ts";
import { define } from "../../utils.ts";

const LINK = "font-medium text-indigo-700 underline dark:text-indigo-300";

export const handler = define.handlers<EmailChangeLinkData>(
  emailChangeLinkHandlers("confirm"),
);

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
