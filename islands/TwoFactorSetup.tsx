import { useSignal } from "@preact/signals";
import { useEffect, useRef } from "preact/hooks";
import { Field, FormError, SubmitButton } from "../components/Field.tsx";
import { postJson } from "../lib/web/client/post_json.ts";
import RecoveryCodes from "./RecoveryCodes.tsx";

/** A setup under way, as the server made it (`lib/auth/two_factor.ts`). */
interface Setup {
  keyText: string;
  uri: string;
  /** The QR code as inline SVG, made on the server from the secret. */
  qrSvg: string;
}

interface Props {
  /** Shown at once: the setup a plain form started, or the one a wrong code was typed for. */
  setup?: Setup;
  /** Shown at once: two-factor was just turned on by a plain form. */
  recoveryCodes?: string[];
  error?: string;
  codeError?: string;
}

type Step = "start" | "verify" | "done";

/** The page the plain forms post to, and where "Done" goes. */
const PAGE = "/settings/two-factor";

const STEP_HEADING = "text-lg font-semibold focus:outline-none";
const LINK = "font-medium text-indigo-700 underline dark:text-indigo-300";

/**
 * Turning two-factor on: "Set up" → the QR code and the text key, and a
 * field for the code the app then shows → the recovery codes, once.
 * Without JavaScript each step is a plain form posting to the settings
 * page, which renders the next step; with it, the same steps go through
 * the JSON API without leaving the page. Focus moves to each new step's
 * heading, and a live region says what happened.
 */
export default function TwoFactorSetup(props: Props) {
  const step = useSignal<Step>(
    props.recoveryCodes ? "done" : props.setup ? "verify" : "start",
  );
  const setup = useSignal<Setup | null>(props.setup ?? null);
  const codes = useSignal<string[]>(props.recoveryCodes ?? []);
  const code = useSignal("");
  const error = useSignal(props.error ?? "");
  const codeError = useSignal(props.codeError ?? "");
  const pending = useSignal(false);
  const said = useSignal("");
  const heading = useRef<HTMLHeadingElement>(null);
  const moved = useRef(false);
  // After a step changes in the browser (not on the first render), focus
  // goes to its heading, so keyboard and screen-reader users start there.
  useEffect(() => {
    if (moved.current) heading.current?.focus();
    moved.current = true;
  }, [step.value]);

  async function start(event: Event) {
    event.preventDefault();
    pending.value = true;
    error.value = "";
    const result = await postJson(
      "/api/account/two-factor/setup",
      {},
      "Setting up two-factor failed; please try again",
    );
    pending.value = false;
    if (!result.ok) {
      error.value = result.error;
      return;
    }
    setup.value = result.data as Setup;
    step.value = "verify";
    said.value = "Add the key to your authenticator app, then enter its code.";
  }

  async function enable(event: Event) {
    event.preventDefault();
    pending.value = true;
    error.value = "";
    codeError.value = "";
    const result = await postJson(
      "/api/account/two-factor/enable",
      { code: code.value },
      "Turning two-factor on failed; please try again",
    );
    pending.value = false;
    if (!result.ok) {
      codeError.value = result.details.code ?? "";
      error.value = codeError.value ? "" : result.error;
      // The same secret stays: only the code is typed again.
      const field = document.getElementById("two-factor-code");
      (field as HTMLInputElement | null)?.select();
      field?.focus();
      return;
    }
    codes.value = result.data.recoveryCodes;
    setup.value = null;
    step.value = "done";
    said.value = "Two-factor authentication is on. Store your recovery codes.";
  }

  return (
    <div class="space-y-4">
      <p role="status" class="sr-only">{said.value}</p>
      {step.value === "start" && (
        <form method="post" action={PAGE} onSubmit={start} class="space-y-4">
          <input type="hidden" name="action" value="setup" />
          <FormError message={error.value} />
          <p class="font-medium" data-testid="two-factor-state">
            Two-factor authentication is off.
          </p>
          <p class="text-sm text-slate-700 dark:text-slate-300">
            To turn it on you need an authenticator app on your phone, such as
            Google Authenticator, Microsoft Authenticator, 1Password or Aegis.
          </p>
          <button
            type="submit"
            disabled={pending.value}
            aria-busy={pending.value ? "true" : undefined}
            class="rounded-md bg-indigo-700 px-4 py-2 font-medium text-white hover:bg-indigo-800 disabled:opacity-70"
          >
            Set up two-factor
          </button>
        </form>
      )}
      {step.value === "verify" && setup.value && (
        <div class="space-y-4">
          <h3 ref={heading} tabIndex={-1} class={STEP_HEADING}>
            Add Islet to your authenticator app
          </h3>
          <ol class="ml-5 list-decimal space-y-1 text-sm text-slate-700 dark:text-slate-300">
            <li>In the app, choose to add an account.</li>
            <li>Scan the QR code, or type the key below it.</li>
            <li>Enter the 6-digit code the app then shows.</li>
          </ol>
          <div
            data-testid="totp-qr"
            class="size-52 overflow-hidden rounded-md bg-white *:size-full"
            // Our own server's SVG (npm uqr), made from the secret: no
            // input of anyone else's, no script, no style attribute.
            // deno-lint-ignore react-no-danger
            dangerouslySetInnerHTML={{ __html: setup.value.qrSvg }}
          />
          <p class="text-sm text-slate-700 dark:text-slate-300">
            Cannot scan it? Type this key instead:
            <code
              data-testid="totp-key"
              class="mt-1 block w-fit rounded bg-slate-100 px-2 py-1 font-mono text-base tracking-wide break-words text-slate-900 select-all dark:bg-slate-800 dark:text-slate-100"
            >
              {setup.value.keyText}
            </code>
          </p>
          <form
            method="post"
            action={PAGE}
            onSubmit={enable}
            noValidate
            class="max-w-xs space-y-4"
          >
            <input type="hidden" name="action" value="enable" />
            <FormError message={error.value} />
            <Field
              id="two-factor-code"
              name="code"
              label="6-digit code from the app"
              inputMode="numeric"
              autocomplete="one-time-code"
              pattern="[0-9 ]*"
              maxLength={8}
              required
              model={code}
              error={codeError.value}
            />
            <SubmitButton
              pending={pending.value}
              label="Turn on two-factor"
              pendingLabel="Checking…"
            />
          </form>
          <p class="text-sm">
            <a class={LINK} href={PAGE}>Cancel</a>
          </p>
        </div>
      )}
      {step.value === "done" && (
        <div class="space-y-4">
          <h3 ref={heading} tabIndex={-1} class={STEP_HEADING}>
            Two-factor authentication is on
          </h3>
          <p class="text-sm text-slate-700 dark:text-slate-300">
            From now on, signing in asks for your password and then a code from
            your app.
          </p>
          <RecoveryCodes codes={codes.value} />
          <p>
            <a class={LINK} href={PAGE}>I have stored my recovery codes</a>
          </p>
        </div>
      )}
    </div>
  );
}
