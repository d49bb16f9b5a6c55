/**
 * The billing mails: a failed payment. Not a security notice (nothing
 * about the account's security changed, so no "this wasn't me" link):
 * a mail of its own through the same mailer and template, queued in the
 * transaction that records the event, so it goes out once per event.
 *
 * @module
 */
import type { Config } from "../config.ts";
import type { Queryable } from "../db/db.ts";
import type { Mailer } from "../email/mail.ts";
import { appLink, renderEmail } from "../email/template.ts";
import { UPGRADE_PATH } from "./entitlements.ts";

/** What {@linkcode queuePaymentFailedMail} needs of the services. */
export interface BillingMailDeps {
  mailer: Mailer;
  config: Pick<Config, "appUrl">;
}

/**
 * Queues "your payment failed" to `user`, with the link to the billing
 * page where the card is fixed.
 *
 * @example
 * ```ts
 * import type { Queryable } from "../db/db.ts";
 * declare const tx: Queryable;
 * declare const deps: BillingMailDeps;
 * await queuePaymentFailedMail(tx, deps, { email: "ada@example.com" }, { planName: "Pro", nextAttempt: null });
 * ```
 */
export async function queuePaymentFailedMail(
  tx: Queryable,
  deps: BillingMailDeps,
  user: { email: string },
  facts: { planName: string; nextAttempt: number | null },
): Promise<void> {
  const retry = facts.nextAttempt === null
    ? "Stripe will not retry it by itself: update your card to keep your plan."
    : `Stripe will try again on ${
      new Date(facts.nextAttempt).toISOString().slice(0, 10)
    }; updating your card before then avoids losing your plan's features.`;
  await deps.mailer.send(
    tx,
    renderEmail({
      to: user.email,
      kind: "billing_payment_failed",
      subject: "Your Islet payment failed",
      heading: "Your payment failed",
      paragraphs: [
        `We could not take the payment for your Islet ${facts.planName} plan (${user.email}).`,
        retry,
      ],
      action: {
        label: "Update my payment method",
        url: appLink(deps.config, UPGRADE_PATH),
      },
      after: [
        "If you meant to stop your plan, you can cancel it on the same page.",
      ],
    }),
  );
}
