import type { ComponentChildren, JSX } from "preact";

interface FieldProps
  extends Omit<JSX.InputHTMLAttributes<HTMLInputElement>, "id" | "name"> {
  id: string;
  name: string;
  label: string;
  error?: string;
  hint?: string;
  /** A way out shown after the error, e.g. a "Sign in instead" link. */
  errorAction?: ComponentChildren;
  /** A signal (or any `{ value }` box) the input reads and writes: two-way binding for islands. */
  model?: { value: string };
}

/**
 * A labelled input with its hint and error wired for screen readers
 * (`aria-describedby`, `aria-invalid`). Used by server pages and islands.
 */
export function Field(
  { id, name, label, error, hint, errorAction, model, ...input }: FieldProps,
) {
  if (model !== undefined) {
    const onInput = input.onInput;
    input.value = model.value;
    input.onInput = (e) => {
      model.value = e.currentTarget.value;
      onInput?.(e);
    };
  }
  const describedBy = [hint ? `${id}-hint` : "", error ? `${id}-error` : ""]
    .filter(Boolean).join(" ");
  return (
    <div class="space-y-1">
      <label for={id} class="block text-sm font-medium">{label}</label>
      <input
        id={id}
        name={name}
        aria-invalid={error ? "true" : undefined}
        aria-describedby={describedBy || undefined}
        class="block w-full rounded-md border border-slate-500 bg-white px-3 py-2 text-slate-900 focus:border-indigo-700 aria-invalid:border-red-700 dark:bg-slate-900 dark:text-slate-100 dark:focus:border-indigo-300 dark:aria-invalid:border-red-400"
        {...input}
      />
      {hint && (
        <p id={`${id}-hint`} class="text-sm text-slate-600 dark:text-slate-300">
          {hint}
        </p>
      )}
      {error && (
        <p
          id={`${id}-error`}
          class="text-sm font-medium text-red-700 dark:text-red-400"
        >
          {error}
          {errorAction ? <>{" "}{errorAction}</> : null}
        </p>
      )}
    </div>
  );
}

/** The form-level error summary, announced when it appears. */
export function FormError({ message }: { message?: string }) {
  if (!message) return null;
  return (
    <div
      role="alert"
      class="rounded-md border border-red-300 bg-red-50 px-3 py-2 text-sm text-red-800 dark:border-red-800 dark:bg-red-950 dark:text-red-200"
    >
      {message}
    </div>
  );
}

/** The primary submit button, showing a pending state. */
export function SubmitButton(
  { pending, label, pendingLabel }: {
    pending?: boolean;
    label: string;
    pendingLabel: string;
  },
) {
  return (
    <button
      type="submit"
      disabled={pending}
      aria-busy={pending ? "true" : undefined}
      class="w-full rounded-md bg-indigo-700 px-4 py-2 font-medium text-white hover:bg-indigo-800 disabled:opacity-70"
    >
      {pending ? pendingLabel : label}
    </button>
  );
}
