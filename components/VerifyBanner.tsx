/** The plain form that asks for a new confirmation link (works without JavaScript). */
export function ResendForm({ label }: { label: string }) {
  return (
    <form method="post" action="/verify-email/resend">
      <button
        type="submit"
        class="rounded-md border border-amber-800 bg-white px-3 py-1.5 text-sm font-medium text-amber-950 hover:bg-amber-100 dark:border-amber-300 dark:bg-amber-950 dark:text-amber-50 dark:hover:bg-amber-900"
      >
        {label}
      </button>
    </form>
  );
}

/**
 * Shown on every signed-in page while the account's address is not
 * confirmed: what to do, and a button for a new link.
 */
export function VerifyBanner({ email }: { email: string }) {
  return (
    <section
      aria-labelledby="verify-banner-title"
      data-testid="verify-banner"
      class="border-b border-amber-300 bg-amber-50 text-amber-950 dark:border-amber-800 dark:bg-amber-950 dark:text-amber-50"
    >
      <div class="mx-auto flex max-w-5xl flex-wrap items-center gap-x-4 gap-y-2 px-4 py-3">
        <div class="min-w-0 flex-1 basis-64">
          <h2 id="verify-banner-title" class="font-semibold">
            Confirm your email address
          </h2>
          <p class="text-sm break-words">
            We sent a link to{" "}
            <span class="font-medium">{email}</span>. Open it and press the
            button there; until then, billing is not available.
          </p>
        </div>
        <ResendForm label="Send a new link" />
      </div>
    </section>
  );
}
