import type { ComponentChildren } from "preact";
import { AuthCard } from "./AuthCard.tsx";
import { FormError, SubmitButton } from "./Field.tsx";

/**
 * The page a mailed link opens: it says what the button will do, and only
 * the button's POST acts (mail scanners that follow links change nothing).
 * The token goes in a hidden field, not the form's URL.
 */
export function TokenActionPage(
  { title, action, token, error, done, children, button, deadEnd }: {
    title: string;
    /** The form's path. */
    action: string;
    /** Null when the link does not work (then `error` says why). */
    token: string | null;
    error?: string;
    /** What happened, once the button was pressed. */
    done?: ComponentChildren;
    children?: ComponentChildren;
    button: string;
    /** Shown under the error of a link that does not work: where to go instead. */
    deadEnd?: ComponentChildren;
  },
) {
  return (
    <AuthCard title={title}>
      {done
        ? <div role="status" class="space-y-4">{done}</div>
        : token === null
        ? (
          <div class="space-y-4">
            <FormError message={error} />
            {deadEnd}
          </div>
        )
        : (
          <form method="post" action={action} class="space-y-4">
            {children}
            <FormError message={error} />
            <input type="hidden" name="token" value={token} />
            <SubmitButton label={button} pendingLabel="Working…" />
          </form>
        )}
    </AuthCard>
  );
}
