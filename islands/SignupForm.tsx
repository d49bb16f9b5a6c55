import { useSignal } from "@preact/signals";
import { useEffect, useRef } from "preact/hooks";
import { CheckInbox } from "../components/CheckInbox.tsx";
import { Field, FormError, SubmitButton } from "../components/Field.tsx";
import {
  MAX_PASSWORD_LENGTH as MAX,
  MIN_PASSWORD_LENGTH as MIN,
} from "../lib/auth/limits.ts";
import { checkSignUp, shownErrors } from "../lib/web/client/auth_checks.ts";
import { focusFirstProblem, postJson } from "../lib/web/client/post_json.ts";

interface Props {
  email?: string;
  error?: string;
  fieldErrors?: Record<string, string>;
}

/**
 * The sign-up form. Without JavaScript it posts to /signup; with it, it
 * checks the fields as you go and signs up through the JSON API, then
 * shows the server's "check your inbox" in place of the form.
 */
export default function SignupForm(props: Props) {
  const email = useSignal(props.email ?? "");
  const password = useSignal("");
  const pending = useSignal(false);
  const initial = shownErrors(props.error, props.fieldErrors);
  const error = useSignal(initial.error);
  const fields = useSignal<Record<string, string>>(initial.fields);
  const sent = useSignal("");
  const sentRef = useRef<HTMLDivElement>(null);
  // Keyboard and screen-reader users land on the answer, not on nothing.
  useEffect(() => {
    if (sent.value) sentRef.current?.focus();
  }, [sent.value]);

  const check = () =>
    checkSignUp({ email: email.value, password: password.value });

  async function onSubmit(event: Event) {
    event.preventDefault();
    const problems = check();
    fields.value = problems;
    error.value = "";
    if (Object.keys(problems).length > 0) {
      focusFirstProblem(problems, [["email", "signup-email"], [
        "password",
        "signup-password",
      ]]);
      return;
    }
    pending.value = true;
    const result = await postJson(
      "/api/auth/register",
      { email: email.value, password: password.value },
      "Could not create the account; please try again",
    );
    if (result.ok) {
      sent.value = typeof result.data?.message === "string"
        ? result.data.message
        : "Check your inbox to confirm your address.";
      return;
    }
    const shown = shownErrors(result.error, result.details);
    error.value = shown.error;
    fields.value = shown.fields;
    pending.value = false;
  }

  if (sent.value) {
    return (
      <div ref={sentRef} tabIndex={-1} class="focus:outline-none">
        <CheckInbox message={sent.value} />
      </div>
    );
  }

  return (
    <form
      method="post"
      action="/signup"
      noValidate
      onSubmit={onSubmit}
      class="space-y-4"
    >
      <FormError message={error.value} />
      <Field
        id="signup-email"
        name="email"
        type="email"
        label="Email"
        autocomplete="email"
        required
        model={email}
        error={fields.value.email}
      />
      <Field
        id="signup-password"
        name="password"
        type="password"
        label="Password"
        autocomplete="new-password"
        required
        minLength={MIN}
        maxLength={MAX}
        hint={`${MIN} to ${MAX} characters. A long phrase is easiest to remember.`}
        model={password}
        onInput={() => {
          // Re-check as they type once a problem was shown, so it clears.
          if (fields.value.password) {
            fields.value = {
              ...fields.value,
              password: check().password ?? "",
            };
          }
        }}
        error={fields.value.password}
      />
      <SubmitButton
        pending={pending.value}
        label="Create account"
        pendingLabel="Creating account…"
      />
    </form>
  );
}
