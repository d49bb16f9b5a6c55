import { useSignal } from "@preact/signals";
import { Field, FormError, SubmitButton } from "../components/Field.tsx";
import { EMAIL_TAKEN } from "../lib/auth/messages.ts";
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
 * checks the fields as you go and creates the account through the JSON API.
 */
export default function SignupForm(props: Props) {
  const email = useSignal(props.email ?? "");
  const password = useSignal("");
  const pending = useSignal(false);
  const initial = shownErrors(props.error, props.fieldErrors);
  const error = useSignal(initial.error);
  const fields = useSignal<Record<string, string>>(initial.fields);

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
      location.assign("/dashboard");
      return;
    }
    const shown = shownErrors(result.error, result.details);
    error.value = shown.error;
    fields.value = shown.fields;
    pending.value = false;
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
        errorAction={fields.value.email === EMAIL_TAKEN && (
          <a class="underline" href="/login">Sign in instead</a>
        )}
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
