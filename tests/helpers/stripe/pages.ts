/**
 * The stand-in's pages for a browser, where Stripe's hosted pages would
 * be: the checkout page of a session (`/checkout/<id>`: "Pay" creates the
 * subscription, sends the webhook events and returns to the success URL;
 * "Cancel" returns to the cancel URL) and the Customer Portal of a
 * session (`/portal/<id>`: "Cancel plan" sets the live subscriptions to
 * end with their period and sends `customer.subscription.updated`;
 * "Return" goes back to the app). Plain HTML forms: no script.
 *
 * @module
 */
import type { StripeStandin } from "../stripe_standin.ts";
import type { StripeObject } from "./objects.ts";

/**
 * The answer to a browser's request of the stand-in (any path outside
 * `/v1/`).
 *
 * @example
 * ```ts
 * import type { StripeStandin } from "../stripe_standin.ts";
 * declare const stripe: StripeStandin;
 * const res = await standinPage(stripe, new Request(`${stripe.url}/checkout/cs_1`), new URL(`${stripe.url}/checkout/cs_1`));
 * ```
 */
export async function standinPage(
  stripe: StripeStandin,
  req: Request,
  url: URL,
): Promise<Response> {
  let m: RegExpMatchArray | null;
  if ((m = url.pathname.match(/^\/checkout\/([^/]+)$/))) {
    return await checkoutPage(stripe, req, m[1]);
  }
  if ((m = url.pathname.match(/^\/portal\/([^/]+)$/))) {
    return await portalPage(stripe, req, m[1], url);
  }
  return new Response("Not found", { status: 404 });
}

async function checkoutPage(
  stripe: StripeStandin,
  req: Request,
  id: string,
): Promise<Response> {
  const session = stripe.checkoutSessions.get(id);
  if (session === undefined) {
    return new Response("No such checkout session", { status: 404 });
  }
  const success = String(session.success_url).replace(
    "{CHECKOUT_SESSION_ID}",
    session.id,
  );
  if (req.method === "POST") {
    if (session.status === "open") {
      // Events follow the browser, as Stripe's do: the success page may
      // show before the webhook has landed.
      await stripe.completeCheckout(id, { background: true });
    }
    return redirect(success);
  }
  const customer = stripe.customers.get(session.customer);
  if (session.status !== "open") {
    return html(
      "Checkout complete",
      `<h1>This checkout is complete</h1>` +
        `<p><a href="${escapeHtml(success)}">Back to the site</a></p>`,
    );
  }
  return html(
    "Checkout",
    `<h1>Stripe stand-in: checkout</h1>` +
      `<p>Subscribe <span data-testid="standin-email">${
        escapeHtml(String(customer?.email ?? ""))
      }</span> to <span data-testid="standin-price">${
        escapeHtml(String(session.line_items?.[0]?.price ?? ""))
      }</span>.</p>` +
      `<form method="post"><button type="submit">Pay</button></form>` +
      `<p><a href="${escapeHtml(String(session.cancel_url))}">Cancel</a></p>`,
  );
}

async function portalPage(
  stripe: StripeStandin,
  req: Request,
  id: string,
  url: URL,
): Promise<Response> {
  const session = stripe.portalSessions.get(id);
  if (session === undefined) {
    return new Response("No such portal session", { status: 404 });
  }
  if (req.method === "POST") {
    await stripe.cancelAtPeriodEnd(session.customer);
    return redirect(url.href);
  }
  const subs = [...stripe.subscriptions.values()].filter((s) =>
    s.customer === session.customer && s.status !== "canceled"
  );
  const cancelable = subs.some((s) =>
    !s.cancel_at_period_end &&
    ["active", "trialing", "past_due"].includes(s.status)
  );
  return html(
    "Billing portal",
    `<h1>Stripe stand-in: billing portal</h1>` +
      (subs.length === 0
        ? `<p>No subscription.</p>`
        : `<ul>${subs.map(describe).join("")}</ul>`) +
      (cancelable
        ? `<form method="post"><button type="submit">Cancel plan</button></form>`
        : "") +
      `<p><a href="${
        escapeHtml(String(session.return_url ?? "/"))
      }">Return</a></p>`,
  );
}

function describe(sub: StripeObject): string {
  const end = new Date(sub.items.data[0].current_period_end * 1000)
    .toISOString().slice(0, 10);
  const price = String(sub.items.data[0].price?.id ?? "");
  return `<li data-testid="standin-subscription">${escapeHtml(price)}: ${
    escapeHtml(String(sub.status))
  }, ${sub.cancel_at_period_end ? "ends" : "renews"} ${end}</li>`;
}

function redirect(to: string): Response {
  return new Response(null, { status: 303, headers: { location: to } });
}

function html(title: string, body: string): Response {
  return new Response(
    // No favicon to ask for: a 404 would be a console error in the tests.
    `<!doctype html><html lang="en"><meta charset="utf-8"><link rel="icon" href="data:,">` +
      `<title>${
        escapeHtml(title)
      } · Stripe stand-in</title><body>${body}</body></html>`,
    { headers: { "content-type": "text/html; charset=utf-8" } },
  );
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
