import { useSignal } from "@preact/signals";
import { Field, FormError, SubmitButton } from "../components/Field.tsx";
import { checkSignIn, shownErrors } from "../lib/web/client/auth_checks.ts";
import { focusFirstProblem, postJson } from "../lib/web/client/post_json.ts";
import { safeNext } from "../lib/web/safe_next.ts";
import { secondFactorPage } from "../lib/web/second_factor_paths.ts";

interface Props {
  /** Where to go after signing in (already checked to be on this site). */
  next: string;
  email?: string;
  error?: string;
  fieldErrors?: Record<string, string>;
}

/**
 * The sign-in form. Without JavaScript it is a plain form posting to
 * /login; with it, it validates inline and signs in through the JSON API.
 */
export default function LoginForm(props: Props) {
  const email = useSignal(props.email ?? "");
  const password = useSignal("");
  const pending = useSignal(false);
  const initial = shownErrors(props.error, props.fieldErrors);
  const error = useSignal(initial.error);
  const fields = useSignal<Record<string, string>>(initial.fields);

  async function onSubmit(event: Event) {
    event.preventDefault();
    const problems = checkSignIn({
      email: email.value,
      password: password.value,
    });
    fields.value = problems;
    error.value = "";
    if (Object.keys(problems).length > 0) {
      focusFirstProblem(problems, [["email", "login-email"], [
        "password",
        "login-password",
      ]]);
      return;
    }
    pending.value = true;
    const result = await postJson(
      "/api/auth/login",
      { email: email.value, password: password.value },
      "Sign-in failed; please try again",
    );
    if (result.ok) {
      // Checked again here, on the value navigated to: props can come from
      // anywhere the server rendered them, and a slip must not leave the site.
      // With two-factor on, the code page comes first and goes there after.
      const next = safeNext(props.next);
      const target = new URL(
        result.data?.secondFactor ? secondFactorPage(next) : next,
        location.origin,
      );
      location.assign(
        target.origin === location.origin ? target.href : "/dashboard",
      );
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
      action={`/login?next=${encodeURIComponent(props.next)}`}
      noValidate
      onSubmit={onSubmit}
      class="space-y-4"
    >
      <FormError message={error.value} />
      <Field
        id="login-email"
        name="email"
        type="email"
        label="Email"
        autocomplete="username"
        required
        model={email}
        error={fields.value.email}
      />
      <Field
        id="login-password"
        name="password"
        type="password"
        label="Password"
        autocomplete="current-password"
        required
        model={password}
        error={fields.value.password}
      />
      <SubmitButton
        pending={pending.value}
        label="Sign in"
        pendingLabel="Signing in…"
      />
    </form>
  );
}
