import type { PaymentProblem } from "../lib/billing/payment_notice.ts";

const WORDS: Record<PaymentProblem, { title: string; text: string }> = {
  past_due: {
    title: "Your last payment failed",
    text:
      "Stripe will try again in a few days. Update your card now to keep your plan.",
  },
  unpaid: {
    title: "Your plan is on hold",
    text:
      "Stripe could not take the payment. Update your card to get your plan back.",
  },
};

/**
 * Shown on every signed-in page while the account's subscription is past
 * due or unpaid: what happened, and a button to the Customer Portal (a
 * plain form post to the billing page, which sends the browser to
 * Stripe), so it works without JavaScript.
 */
export function PaymentBanner({ problem }: { problem: PaymentProblem }) {
  const words = WORDS[problem];
  return (
    <section
      aria-labelledby="payment-banner-title"
      data-testid="payment-banner"
      data-problem={problem}
      class="border-b border-red-300 bg-red-50 text-red-950 dark:border-red-800 dark:bg-red-950 dark:text-red-50"
    >
      <div class="mx-auto flex max-w-5xl flex-wrap items-center gap-x-4 gap-y-2 px-4 py-3">
        <div class="min-w-0 flex-1 basis-64">
          <h2 id="payment-banner-title" class="font-semibold">
            {words.title}
          </h2>
          <p class="text-sm">{words.text}</p>
        </div>
        <form method="post" action="/settings/billing">
          <input type="hidden" name="action" value="portal" />
          <button
            type="submit"
            class="rounded-md border border-red-800 bg-white px-3 py-1.5 text-sm font-medium text-red-950 hover:bg-red-100 dark:border-red-300 dark:bg-red-950 dark:text-red-50 dark:hover:bg-red-900"
          >
            Fix the payment
          </button>
        </form>
      </div>
    </section>
  );
}
