import { useSignal } from "@preact/signals";
import { useEffect, useRef } from "preact/hooks";
import type { BillingView, PlanWords } from "../lib/web/billing_view.ts";

interface Props {
  /** Everything the panel shows, decided on the server (`billingView`). */
  view: BillingView;
}

const PRIMARY =
  "rounded-md bg-indigo-700 px-4 py-2 text-sm font-medium text-white hover:bg-indigo-800 disabled:opacity-70";
const SECONDARY =
  "rounded-md border border-slate-500 bg-white px-4 py-2 text-sm font-medium text-slate-900 hover:bg-slate-100 disabled:opacity-70 dark:border-slate-400 dark:bg-slate-900 dark:text-slate-100 dark:hover:bg-slate-800";
const TERM = "text-sm text-slate-600 dark:text-slate-300";
const LINK =
  "font-medium text-indigo-700 underline hover:no-underline dark:text-indigo-300";

/** What a form is for: the portal, or the checkout of a plan. */
type FormId = "portal" | PlanWords["tier"];

/**
 * The billing page's panel: the plan and its subscription, and a plain
 * form for every button (upgrade to a plan, manage billing), so it all
 * works without JavaScript: each form POSTs to /settings/billing, which
 * answers with a 303 to Stripe. With JavaScript the panel only improves
 * that: a second press while the browser is on its way is ignored, the
 * buttons wait, and the pressed one says it is opening Stripe. What is
 * shown and which buttons exist come from the server (`view`).
 */
export default function BillingPanel({ view }: Props) {
  const pending = useSignal<FormId | null>(null);
  // Set at once on submit (the signal re-renders a moment later), so a
  // double press never sends a second form.
  const sent = useRef(false);

  useEffect(() => {
    // Back from Stripe with the back button, the page may come from the
    // back/forward cache with its buttons still waiting: free them.
    const onShow = (e: PageTransitionEvent) => {
      if (!e.persisted) return;
      sent.current = false;
      pending.value = null;
    };
    addEventListener("pageshow", onShow);
    return () => removeEventListener("pageshow", onShow);
  }, []);

  function onSubmit(id: FormId) {
    return (e: Event) => {
      if (sent.current) {
        e.preventDefault();
        return;
      }
      sent.current = true;
      // After the browser has read the form: a button disabled before
      // that could be left out of what is sent.
      setTimeout(() => pending.value = id, 0);
    };
  }

  const waiting = pending.value !== null;
  const label = (id: FormId, text: string) =>
    pending.value === id ? "Opening Stripe…" : text;
  const sub = view.subscription;

  return (
    <div class="space-y-8" data-testid="billing-panel">
      <section aria-labelledby="plan-title" class="space-y-4">
        <h3 id="plan-title" class="text-lg font-semibold">Your plan</h3>
        <dl class="grid gap-x-8 gap-y-4 sm:grid-cols-2">
          <div class="min-w-0">
            <dt class={TERM}>Plan</dt>
            <dd class="font-medium" data-testid="billing-plan">
              {view.plan.name}
            </dd>
            <dd class="text-sm text-slate-700 dark:text-slate-300">
              {view.plan.limits}
            </dd>
          </div>
          {sub && (
            <div class="min-w-0">
              <dt class={TERM}>Status</dt>
              <dd
                class={sub.needsPaymentFix
                  ? "font-medium text-red-700 dark:text-red-300"
                  : "font-medium"}
                data-testid="billing-status"
                data-status={sub.status}
              >
                {sub.statusText}
              </dd>
            </div>
          )}
          {sub?.date && (
            <div class="min-w-0">
              <dt class={TERM}>{sub.date.label}</dt>
              <dd class="font-medium" data-testid="billing-date">
                <time datetime={sub.date.iso}>{sub.date.text}</time>
              </dd>
            </div>
          )}
          {sub?.card && (
            <div class="min-w-0">
              <dt class={TERM}>Card</dt>
              <dd class="font-medium" data-testid="billing-card">
                {sub.card}
              </dd>
            </div>
          )}
          {view.invoicesUrl && (
            <div class="min-w-0">
              <dt class={TERM}>Invoices</dt>
              <dd>
                <a
                  class={LINK}
                  href={view.invoicesUrl}
                  rel="noopener noreferrer"
                  data-testid="billing-invoice"
                >
                  Latest invoice
                </a>
                <span class="text-sm text-slate-700 dark:text-slate-300">
                  {" "}(at Stripe; all of them under Manage billing)
                </span>
              </dd>
            </div>
          )}
        </dl>
        {sub?.needsPaymentFix && (
          <p class="text-sm text-slate-800 dark:text-slate-200">
            Your last payment did not go through. Update your card under Manage
            billing; Stripe then charges it again.
          </p>
        )}
        {view.canManage && (
          <form
            method="post"
            action="/settings/billing"
            onSubmit={onSubmit("portal")}
            class="flex flex-wrap items-center gap-x-4 gap-y-2"
          >
            <input type="hidden" name="action" value="portal" />
            <button
              type="submit"
              class={SECONDARY}
              disabled={waiting}
              aria-busy={pending.value === "portal" ? "true" : undefined}
            >
              {label("portal", "Manage billing")}
            </button>
            <span class="text-sm text-slate-700 dark:text-slate-300">
              Change your card or plan, see every invoice, or cancel, at Stripe.
            </span>
          </form>
        )}
      </section>

      {view.offers.length > 0 && (
        <section aria-labelledby="plans-title" class="space-y-4">
          <h3 id="plans-title" class="text-lg font-semibold">Choose a plan</h3>
          <p class="text-sm text-slate-700 dark:text-slate-300">
            Stripe shows the price and takes the payment, then sends you back
            here. You can cancel at any time.
          </p>
          <ul class="grid gap-4 sm:grid-cols-2">
            {view.offers.map((offer) => (
              <li
                key={offer.tier}
                class="flex flex-col gap-3 rounded-lg border border-slate-300 p-4 dark:border-slate-700"
              >
                <h4 class="text-base font-semibold">{offer.name}</h4>
                <p class="text-sm text-slate-700 dark:text-slate-300">
                  {offer.limits}
                </p>
                <ul class="list-disc space-y-1 pl-5 text-sm">
                  {offer.features.map((f) => <li key={f}>{f}</li>)}
                </ul>
                <form
                  method="post"
                  action="/settings/billing"
                  onSubmit={onSubmit(offer.tier)}
                  class="mt-auto"
                >
                  <input type="hidden" name="action" value="checkout" />
                  <input type="hidden" name="plan" value={offer.tier} />
                  <button
                    type="submit"
                    class={PRIMARY}
                    disabled={waiting}
                    aria-busy={pending.value === offer.tier
                      ? "true"
                      : undefined}
                  >
                    {label(offer.tier, `Upgrade to ${offer.name}`)}
                  </button>
                </form>
              </li>
            ))}
          </ul>
        </section>
      )}

      {view.unavailable && (
        <p
          class="rounded-md border border-slate-300 bg-slate-50 px-3 py-2 text-sm dark:border-slate-700 dark:bg-slate-900"
          data-testid="billing-unavailable"
        >
          {view.unavailable}
        </p>
      )}
      <p role="status" class="sr-only">
        {waiting ? "Opening Stripe…" : ""}
      </p>
    </div>
  );
}
