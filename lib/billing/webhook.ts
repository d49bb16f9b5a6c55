/**
 * The Stripe webhook (`POST /api/stripe/webhook`): Stripe is one of the
 * app's users, and it sends events at least once, sometimes twice, late
 * or out of order. So:
 *
 * 1. The signature is checked on the raw body with the SDK (5 minutes of
 *    tolerance: an older signed request is a replay); bad or missing →
 *    400, nothing read.
 * 2. The event id is claimed in `stripe_events` (insert, or take over a
 *    released or expired claim). A processed id is a duplicate: 200 and
 *    nothing else. A claim held by another delivery right now (one event
 *    delivered many times at once, on this instance or another) is waited
 *    for, a few seconds, then answered as a duplicate if it succeeded.
 * 3. The customer's state is re-read FROM STRIPE (never taken from the
 *    event) and written in one transaction with the processed mark and
 *    the event's audit rows and mail (`sync.ts`). Any failure rolls it
 *    all back, releases the claim and answers 500: Stripe retries, and
 *    the retry does the whole thing again.
 *
 * Events for a customer no account has are recorded and change nothing:
 * the customer belongs to no one here (made in Stripe's dashboard or by
 * another app on the same Stripe account, or its account was deleted and
 * took its rows with it), and creating or guessing an owner from Stripe's
 * data would hand a subscription to the wrong person.
 *
 * @module
 */
import { audit } from "../db/audit.ts";
import type { Queryable } from "../db/db.ts";
import {
  claimEvent,
  type EventOutcome,
  finishEvent,
  releaseEvent,
} from "../db/stripe_events.ts";
import { getUserByStripeCustomerId } from "../db/users.ts";
import { isMissing } from "./client.ts";
import { queuePaymentFailedMail } from "./mail.ts";
import { PLANS } from "./plans.ts";
import {
  type BillingDeps,
  syncCustomer,
  type SyncResult,
  UserGoneError,
} from "./sync.ts";

/** The events that re-read the customer; any other is recorded and ignored. */
export const HANDLED_EVENTS = [
  "checkout.session.completed",
  "customer.subscription.created",
  "customer.subscription.updated",
  "customer.subscription.deleted",
  "invoice.paid",
  "invoice.payment_succeeded",
  "invoice.payment_failed",
  "charge.dispute.created",
] as const;

/** The signature's tolerance: an older signed delivery is refused as a replay. */
export const WEBHOOK_TOLERANCE_SECONDS = 300;

/** The largest body read: Stripe's events are far smaller. */
export const MAX_WEBHOOK_BYTES = 512 * 1024;

/**
 * How long a delivery holds its claim: longer than the slowest processing
 * (two Stripe requests with their retry, at 10 s each, and a write), so a
 * live claim is never taken over; a crashed holder's is, after this.
 */
export const CLAIM_LEASE_MS = 120_000;

/** How long a duplicate waits for the delivery holding the claim. */
export const CLAIM_WAIT_MS = 8_000;

/** How the webhook answered. */
export type WebhookAnswer =
  | {
    status: 200;
    /** What this delivery did: processed it now, or found it processed. */
    result: "processed" | "duplicate";
    outcome?: EventOutcome;
  }
  | { status: 400 | 409 | 500; error: string };

/** Options of {@linkcode handleWebhook}, for tests. */
export interface WebhookOptions {
  leaseMs?: number;
  waitMs?: number;
}

/** The claim ran out and another delivery took the event over. */
class ClaimLostError extends Error {
  constructor() {
    super("The event's claim ran out during processing");
    this.name = "ClaimLostError";
  }
}

/** The parts of an event read here (the rest is Stripe's business). */
interface EventShape {
  id: string;
  type: string;
  data: { object: Record<string, unknown> };
}

const EVENT_ID_RE = /^evt_[A-Za-z0-9_]{1,250}$/;

/**
 * Handles one delivery: `payload` is the raw body, `signature` the
 * `Stripe-Signature` header. Never throws for anything the request
 * holds; a failure of Stripe or the database is a 500 (retried by
 * Stripe), with the claim released.
 *
 * @example
 * ```ts
 * import type { BillingDeps } from "./sync.ts";
 * declare const deps: BillingDeps;
 * declare const req: Request;
 * const answer = await handleWebhook(deps, await req.text(), req.headers.get("stripe-signature"));
 * console.log(answer.status);
 * ```
 */
export async function handleWebhook(
  deps: BillingDeps,
  payload: string,
  signature: string | null,
  options: WebhookOptions = {},
): Promise<WebhookAnswer> {
  if (signature === null || signature === "") {
    return { status: 400, error: "Missing Stripe-Signature header" };
  }
  let parsed: unknown;
  try {
    parsed = await deps.billing.stripe.webhooks.constructEventAsync(
      payload,
      signature,
      deps.billing.config.webhookSecret,
      WEBHOOK_TOLERANCE_SECONDS,
    );
  } catch {
    // The SDK's message may quote the payload; say only what failed.
    return {
      status: 400,
      error:
        "Invalid Stripe signature (wrong secret, altered body, or older than 5 minutes)",
    };
  }
  const event = shapeOf(parsed);
  if (event === null) return { status: 400, error: "Malformed Stripe event" };

  const token = crypto.randomUUID();
  const waitUntil = Date.now() + (options.waitMs ?? CLAIM_WAIT_MS);
  for (let pause = 10;; pause = Math.min(pause * 2, 100)) {
    const claim = await claimEvent(deps.db, {
      id: event.id,
      type: event.type,
      token,
      leaseMs: options.leaseMs ?? CLAIM_LEASE_MS,
    });
    if (claim === "claimed") break;
    if (claim === "processed") return { status: 200, result: "duplicate" };
    if (Date.now() >= waitUntil) {
      // Stripe retries a non-2xx answer later, when the holder is done.
      return { status: 409, error: "This event is being processed" };
    }
    await new Promise((resolve) => setTimeout(resolve, pause));
  }

  try {
    const outcome = await processEvent(deps, event, token);
    return { status: 200, result: "processed", outcome };
  } catch (err) {
    await releaseEvent(deps.db, event.id, token).catch(() => {});
    if (err instanceof ClaimLostError) {
      return { status: 409, error: "This event is being processed" };
    }
    // The error's name and message, never the payload (it holds the
    // customer's details).
    console.error(
      `Stripe webhook ${event.type} ${event.id} failed:`,
      err instanceof Error ? `${err.name}: ${err.message}` : String(err),
    );
    return { status: 500, error: "Processing failed; Stripe will retry" };
  }
}

/** The event's id, type and object, or null when it has no such shape. */
function shapeOf(value: unknown): EventShape | null {
  if (typeof value !== "object" || value === null) return null;
  const e = value as Record<string, unknown>;
  const data = e.data as Record<string, unknown> | undefined;
  if (
    typeof e.id !== "string" || !EVENT_ID_RE.test(e.id) ||
    typeof e.type !== "string" || e.type.length === 0 ||
    e.type.length > 255 || typeof data !== "object" || data === null ||
    typeof data.object !== "object" || data.object === null
  ) {
    return null;
  }
  return e as unknown as EventShape;
}

/** Processes a claimed event; returns what it did. */
async function processEvent(
  deps: BillingDeps,
  event: EventShape,
  token: string,
): Promise<EventOutcome> {
  const finishAs = async (outcome: EventOutcome, customer: string | null) => {
    if (!(await finishEvent(deps.db, event.id, token, outcome, customer))) {
      throw new ClaimLostError();
    }
    return outcome;
  };
  if (!(HANDLED_EVENTS as readonly string[]).includes(event.type)) {
    return await finishAs("ignored", null);
  }
  const customerId = await customerOf(deps, event);
  if (customerId === null) return await finishAs("no_customer", null);
  const user = await getUserByStripeCustomerId(deps.db, customerId);
  // No account has this customer: see the module comment.
  if (user === null) return await finishAs("unknown_customer", customerId);
  try {
    await syncCustomer(deps, { id: user.id, customerId }, {
      async before(tx) {
        if (!(await finishEvent(tx, event.id, token, "synced", customerId))) {
          throw new ClaimLostError();
        }
      },
      async after(tx, result) {
        await recordEvent(tx, deps, event, user, result);
      },
    });
  } catch (err) {
    if (!(err instanceof UserGoneError)) throw err;
    return await finishAs("unknown_customer", customerId);
  }
  return "synced";
}

/** What the event itself says to the account: a failed or disputed payment. */
async function recordEvent(
  tx: Queryable,
  deps: BillingDeps,
  event: EventShape,
  user: { id: string; email: string },
  result: SyncResult,
): Promise<void> {
  const object = event.data.object;
  if (event.type === "invoice.payment_failed") {
    const attempt = typeof object.attempt_count === "number"
      ? object.attempt_count
      : null;
    await audit(tx, {
      userId: user.id,
      event: "billing.payment_failed",
      details: { attempt },
    });
    const next = typeof object.next_payment_attempt === "number"
      ? object.next_payment_attempt * 1000
      : null;
    // The invoice names its subscription under parent (current API
    // versions) or, in older ones, at the top.
    const parent = object.parent as
      | { subscription_details?: { subscription?: unknown } }
      | null
      | undefined;
    const subId = idOf(parent?.subscription_details?.subscription) ??
      idOf(object.subscription);
    const subs = result.state.subscriptions;
    const sub = subs.find((s) => s.stripeSubscriptionId === subId) ??
      subs.find((s) => s.plan !== null);
    const plan = sub?.plan;
    await queuePaymentFailedMail(tx, deps, user, {
      planName: plan === "pro" || plan === "team" ? PLANS[plan].name : "paid",
      nextAttempt: next,
    });
  } else if (event.type === "charge.dispute.created") {
    await audit(tx, { userId: user.id, event: "billing.payment_disputed" });
  }
}

/**
 * The customer an event is about: its object's `customer` (an id or an
 * expanded object); for a dispute, the disputed charge's customer, read
 * from Stripe (a dispute names only its charge).
 */
async function customerOf(
  deps: BillingDeps,
  event: EventShape,
): Promise<string | null> {
  const object = event.data.object;
  if (event.type === "charge.dispute.created") {
    const charge = idOf(object.charge);
    if (charge === null) return null;
    try {
      const found = await deps.billing.stripe.charges.retrieve(charge);
      return idOf(found.customer);
    } catch (err) {
      if (isMissing(err)) return null;
      throw err;
    }
  }
  return idOf(object.customer);
}

/** An id given as itself or as an expanded object's `id`. */
function idOf(value: unknown): string | null {
  if (typeof value === "string" && value !== "") return value;
  if (typeof value === "object" && value !== null) {
    const id = (value as { id?: unknown }).id;
    if (typeof id === "string" && id !== "") return id;
  }
  return null;
}
