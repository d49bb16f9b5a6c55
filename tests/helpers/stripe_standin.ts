/**
 * A stateful stand-in of the Stripe API for tests and the bench: a local
 * HTTP server (`Deno.serve` on a free port) implementing only the
 * endpoints Islet calls, with objects built from Stripe's own example
 * shapes (`stripe/fixtures.json`) and the fields that matter set. The app
 * talks to it through the real `stripe` SDK (`STRIPE_API_URL`), so what
 * is tested is the SDK's requests (form-encoded bodies, `expand[]`,
 * idempotency keys, error objects) and Islet's reading of real shapes.
 *
 * Endpoints: customers create/retrieve/delete; subscriptions
 * list/retrieve/cancel; checkout.sessions create; billing_portal.sessions
 * create; invoices list; charges retrieve. Plus, for browsers, a checkout
 * page (`/checkout/<id>`: "Pay" completes the session, sends the webhook
 * events and returns to the success URL) and a portal page
 * (`/portal/<id>`: "Cancel plan", "Return"), in `stripe/pages.ts`.
 *
 * Tests change the state directly (`addSubscription`, `updateSubscription`,
 * …), inject failures (`failNext`), and build events signed with the
 * SDK's own `generateTestHeaderStringAsync` (`webhook()`).
 *
 * @module
 */
import Stripe from "stripe";
import { decodeStripeForm, expandList, type FormValue } from "./stripe/form.ts";
import { standinPage } from "./stripe/pages.ts";
import {
  cardObject,
  eventObject,
  invoiceObject,
  newId,
  nowSeconds,
  shape,
  type StripeObject,
  subscriptionObject,
} from "./stripe/objects.ts";

export type { StripeObject } from "./stripe/objects.ts";

/** The stand-in's secret key: the app must send it as a bearer token. */
export const STANDIN_SECRET_KEY = "sk_test_islet_standin";
/** The webhook signing secret the stand-in signs with. */
export const STANDIN_WEBHOOK_SECRET = "whsec_islet_standin";
/** The prices of the two paid plans. */
export const STANDIN_PRICES = {
  pro: "price_islet_pro",
  team: "price_islet_team",
} as const;

/** A signed delivery, ready for `fetch(webhookUrl, init)`. */
export interface Delivery {
  payload: string;
  signature: string;
  init: RequestInit;
}

interface FailRule {
  remaining: number;
  status: number;
  match: (method: string, path: string) => boolean;
}

type Answer = { status: number; body: StripeObject };

/** The running stand-in. */
export class StripeStandin {
  readonly customers = new Map<string, StripeObject>();
  readonly subscriptions = new Map<string, StripeObject>();
  readonly paymentMethods = new Map<string, StripeObject>();
  readonly invoices = new Map<string, StripeObject>();
  readonly charges = new Map<string, StripeObject>();
  readonly checkoutSessions = new Map<string, StripeObject>();
  readonly portalSessions = new Map<string, StripeObject>();
  /** Every API request answered, in order: `"GET /v1/subscriptions"`. */
  readonly calls: string[] = [];
  /** Where `completeCheckout` and the pages send events (the app's webhook URL). */
  webhookUrl: string | null = null;
  /**
   * Or how: a delivery to an app built in process, which has no port
   * (`(init) => app.fetch("/api/stripe/webhook", init)`). Wins over
   * {@linkcode StripeStandin.webhookUrl}.
   */
  webhookFetch: ((init: RequestInit) => Promise<Response>) | null = null;
  /** How long events wait before they are sent (Stripe is not instant). */
  webhookDelayMs = 0;
  /** Deliveries the app did not answer 200: `"invoice.paid: 500"`. */
  readonly deliveryErrors: string[] = [];
  private readonly deliveries = new Set<Promise<void>>();
  private readonly idempotent = new Map<string, Answer>();
  private readonly failures: FailRule[] = [];
  private readonly delays: (FailRule & { ms: number })[] = [];
  private readonly signer = new Stripe(STANDIN_SECRET_KEY);

  private constructor(
    private readonly server: Deno.HttpServer<Deno.NetAddr>,
    readonly url: string,
  ) {}

  /**
   * Starts a stand-in on a free local port.
   *
   * @example
   * ```ts
   * const stripe = await StripeStandin.start();
   * try {
   *   console.log(stripe.env().STRIPE_API_URL);
   * } finally {
   *   await stripe.close();
   * }
   * ```
   */
  static async start(): Promise<StripeStandin> {
    // The handler needs the instance, the instance the server.
    const holder: { self?: StripeStandin } = {};
    const ready = Promise.withResolvers<void>();
    const server = Deno.serve({
      hostname: "127.0.0.1",
      port: 0,
      onListen: () => ready.resolve(),
    }, (req) => holder.self!.handle(req));
    await ready.promise;
    holder.self = new StripeStandin(
      server,
      `http://127.0.0.1:${server.addr.port}`,
    );
    return holder.self;
  }

  /** The app's settings for this stand-in (merge into its env). */
  env(): Record<string, string> {
    return {
      STRIPE_SECRET_KEY: STANDIN_SECRET_KEY,
      STRIPE_WEBHOOK_SECRET: STANDIN_WEBHOOK_SECRET,
      STRIPE_PRICE_PRO: STANDIN_PRICES.pro,
      STRIPE_PRICE_TEAM: STANDIN_PRICES.team,
      STRIPE_API_URL: this.url,
    };
  }

  /** Stops the server. */
  async close(): Promise<void> {
    await this.settled();
    await this.server.shutdown();
  }

  // --- State, as tests set it --------------------------------------------

  /** A customer, as if made by the app (or by someone else in the dashboard). */
  addCustomer(fields: StripeObject = {}): StripeObject {
    const customer = shape("customer", {
      id: newId("cus"),
      created: nowSeconds(),
      email: null,
      metadata: {},
      discount: null,
      invoice_settings: {
        ...shape("customer").invoice_settings,
        default_payment_method: null,
      },
      ...fields,
    });
    this.customers.set(customer.id, customer);
    return customer;
  }

  /** A card of `customer`, optionally its default for invoices. */
  addCard(
    customer: string,
    card: { brand: string; last4: string },
    opts: { makeDefault?: boolean } = {},
  ): StripeObject {
    const pm = cardObject(customer, card);
    this.paymentMethods.set(pm.id, pm);
    if (opts.makeDefault) {
      this.customers.get(customer)!.invoice_settings.default_payment_method =
        pm.id;
    }
    return pm;
  }

  /**
   * A subscription of `customer` to a plan (default pro, active, a visa
   * ending 4242), with its paid first invoice.
   */
  addSubscription(
    customer: string,
    o: {
      tier?: keyof typeof STANDIN_PRICES;
      price?: string;
      status?: string;
      card?: { brand: string; last4: string } | null;
    } = {},
  ): StripeObject {
    if (!this.customers.has(customer)) throw new Error(`no ${customer}`);
    const card = o.card === undefined
      ? { brand: "visa", last4: "4242" }
      : o.card;
    const pm = card === null ? null : this.addCard(customer, card).id;
    const sub = subscriptionObject({
      customer,
      price: o.price ?? STANDIN_PRICES[o.tier ?? "pro"],
      status: o.status ?? "active",
      paymentMethod: pm,
    });
    this.subscriptions.set(sub.id, sub);
    const invoice = invoiceObject({
      customer,
      subscription: sub.id,
      status: sub.status === "active" ? "paid" : "open",
      hostedBase: this.url,
    });
    this.invoices.set(invoice.id, invoice);
    sub.latest_invoice = invoice.id;
    return sub;
  }

  /** Changes a subscription as Stripe would (status, price, cancellation). */
  updateSubscription(
    id: string,
    patch: {
      status?: string;
      tier?: keyof typeof STANDIN_PRICES;
      cancelAtPeriodEnd?: boolean;
    },
  ): StripeObject {
    const sub = this.subscriptions.get(id);
    if (sub === undefined) throw new Error(`no ${id}`);
    if (patch.status !== undefined) {
      sub.status = patch.status;
      if (patch.status === "canceled") {
        sub.canceled_at = sub.ended_at = nowSeconds();
      }
    }
    if (patch.tier !== undefined) {
      sub.items.data[0].price = shape("price", {
        id: STANDIN_PRICES[patch.tier],
        product: "prod_islet",
      });
    }
    if (patch.cancelAtPeriodEnd !== undefined) {
      sub.cancel_at_period_end = patch.cancelAtPeriodEnd;
    }
    return sub;
  }

  /** A charge of `customer` (for disputes). */
  addCharge(customer: string): StripeObject {
    const charge = shape("charge", { id: newId("ch"), customer });
    this.charges.set(charge.id, charge);
    return charge;
  }

  /**
   * The next `count` API requests (matching `path`, if given) answer
   * `status` with Stripe's error shape: an outage, seen by the SDK as
   * Stripe's (it retries 5xx once with Islet's settings).
   */
  failNext(
    count: number,
    opts: { status?: number; path?: RegExp; method?: string } = {},
  ): void {
    this.failures.push({
      remaining: count,
      status: opts.status ?? 500,
      match: (method, path) =>
        (opts.method === undefined || opts.method === method) &&
        (opts.path === undefined || opts.path.test(path)),
    });
  }

  /**
   * The next `count` API requests (matching `path`) are answered `ms`
   * late, with the state as it was when they arrived: a slow read.
   */
  delayNext(
    count: number,
    ms: number,
    opts: { path?: RegExp; method?: string } = {},
  ): void {
    this.delays.push({
      remaining: count,
      status: 200,
      ms,
      match: (method, path) =>
        (opts.method === undefined || opts.method === method) &&
        (opts.path === undefined || opts.path.test(path)),
    });
  }

  /** How many API requests matched `pattern` ("GET /v1/subscriptions"). */
  count(pattern: RegExp): number {
    return this.calls.filter((c) => pattern.test(c)).length;
  }

  // --- Events ------------------------------------------------------------

  /** An event of `type` about `object` (a snapshot of it now). */
  event(type: string, object: StripeObject): StripeObject {
    return eventObject(type, object);
  }

  /** `customer.subscription.<what>` with the subscription as it is now. */
  subscriptionEvent(
    what: "created" | "updated" | "deleted",
    id: string,
  ): StripeObject {
    return eventObject(
      `customer.subscription.${what}`,
      this.subscriptions.get(id)!,
    );
  }

  /** `invoice.<what>` for a subscription's latest invoice. */
  invoiceEvent(
    what: "paid" | "payment_succeeded" | "payment_failed",
    subscription: string,
  ): StripeObject {
    const sub = this.subscriptions.get(subscription)!;
    const invoice = this.invoices.get(sub.latest_invoice)!;
    if (what === "payment_failed") {
      invoice.status = "open";
      invoice.attempt_count = (invoice.attempt_count ?? 0) + 1;
      invoice.next_payment_attempt = nowSeconds() + 3 * 86_400;
    }
    return eventObject(`invoice.${what}`, invoice);
  }

  /**
   * Signs `event` (or a raw payload) with the SDK's own test helper, as
   * Stripe signs deliveries: `timestamp` (Unix seconds) to sign as of
   * another time, `secret` to sign with another secret.
   */
  async webhook(
    event: StripeObject | string,
    opts: { timestamp?: number; secret?: string } = {},
  ): Promise<Delivery> {
    const payload = typeof event === "string"
      ? event
      : JSON.stringify(event, null, 2);
    const signature = await this.signer.webhooks.generateTestHeaderStringAsync(
      {
        payload,
        secret: opts.secret ?? STANDIN_WEBHOOK_SECRET,
        timestamp: opts.timestamp,
      },
    );
    return {
      payload,
      signature,
      init: {
        method: "POST",
        headers: {
          "content-type": "application/json; charset=utf-8",
          "stripe-signature": signature,
          "user-agent": "Stripe/1.0 (+https://stripe.com/docs/webhooks)",
        },
        body: payload,
      },
    };
  }

  /**
   * Completes checkout session `id` as a paying customer would: the
   * subscription is created (active, a visa ending 4242) and, when
   * {@linkcode StripeStandin.webhookUrl} is set, `checkout.session.completed`,
   * `customer.subscription.created` and `invoice.paid` are sent there,
   * signed, in that order: awaited, or (`background`) after the call
   * returns, as Stripe sends them while the browser is on its way back.
   */
  async completeCheckout(
    id: string,
    opts: { background?: boolean } = {},
  ): Promise<StripeObject> {
    const session = this.checkoutSessions.get(id);
    if (session === undefined) throw new Error(`no ${id}`);
    const sub = this.addSubscription(session.customer, {
      price: session.line_items?.[0]?.price ?? STANDIN_PRICES.pro,
    });
    Object.assign(session, {
      status: "complete",
      payment_status: "paid",
      subscription: sub.id,
    });
    const sent = this.send([
      this.event("checkout.session.completed", session),
      this.subscriptionEvent("created", sub.id),
      this.invoiceEvent("paid", sub.id),
    ]);
    if (!opts.background) await sent;
    return sub;
  }

  /**
   * Sets every live subscription of `customer` to cancel at the end of its
   * period, as the portal's "Cancel plan" does, and sends
   * `customer.subscription.updated` for each (awaited).
   */
  async cancelAtPeriodEnd(customer: string): Promise<StripeObject[]> {
    const subs = [...this.subscriptions.values()].filter((s) =>
      s.customer === customer &&
      ["active", "trialing", "past_due"].includes(s.status)
    );
    for (const sub of subs) {
      this.updateSubscription(sub.id, { cancelAtPeriodEnd: true });
    }
    await this.send(
      subs.map((sub) => this.subscriptionEvent("updated", sub.id)),
    );
    return subs;
  }

  /**
   * Delivers `events`, signed and one after the other, to
   * {@linkcode StripeStandin.webhookFetch} or
   * {@linkcode StripeStandin.webhookUrl} (nothing when neither is set), after
   * {@linkcode StripeStandin.webhookDelayMs}. Tracked, so `settled()` and
   * `close()` wait for it; a delivery the app refuses or cannot take is
   * recorded in {@linkcode StripeStandin.deliveryErrors}.
   */
  send(events: StripeObject[]): Promise<void> {
    const url = this.webhookUrl;
    const post = this.webhookFetch ??
      (url === null ? null : (init: RequestInit) => fetch(url, init));
    if (post === null || events.length === 0) return Promise.resolve();
    const run = (async () => {
      if (this.webhookDelayMs > 0) {
        await new Promise((r) => setTimeout(r, this.webhookDelayMs));
      }
      for (const event of events) {
        try {
          const res = await post((await this.webhook(event)).init);
          await res.body?.cancel();
          if (res.status !== 200) {
            this.deliveryErrors.push(`${event.type}: ${res.status}`);
          }
        } catch (err) {
          this.deliveryErrors.push(`${event.type}: ${err}`);
        }
      }
    })();
    this.deliveries.add(run);
    run.finally(() => this.deliveries.delete(run));
    return run;
  }

  /** Waits until every delivery under way has been answered. */
  async settled(): Promise<void> {
    while (this.deliveries.size > 0) {
      await Promise.all([...this.deliveries]);
    }
  }

  // --- The API -----------------------------------------------------------

  private async handle(req: Request): Promise<Response> {
    const url = new URL(req.url);
    const path = url.pathname;
    if (!path.startsWith("/v1/")) return await this.pages(req, url);
    this.calls.push(`${req.method} ${path}`);
    const failure = this.failures.find((f) =>
      f.remaining > 0 && f.match(req.method, path)
    );
    if (failure !== undefined) {
      failure.remaining--;
      return Response.json({
        error: {
          type: "api_error",
          message: "The stand-in was told to fail this request.",
        },
      }, { status: failure.status });
    }
    if (req.headers.get("authorization") !== `Bearer ${STANDIN_SECRET_KEY}`) {
      const refused = stripeError(
        401,
        "invalid_request_error",
        "Invalid API Key provided",
      );
      return Response.json(refused.body, { status: refused.status });
    }
    const params = req.method === "GET" || req.method === "DELETE"
      ? decodeStripeForm(url.search.slice(1))
      : decodeStripeForm(await req.text());
    const key = req.headers.get("idempotency-key");
    const replay = key === null ? undefined : this.idempotent.get(key);
    const answer = replay ?? this.route(req.method, path, params);
    if (key !== null && answer.status < 500) this.idempotent.set(key, answer);
    const delay = this.delays.find((d) =>
      d.remaining > 0 && d.match(req.method, path)
    );
    if (delay !== undefined) {
      delay.remaining--;
      const body = JSON.stringify(answer.body); // the state as it is now
      await new Promise((resolve) => setTimeout(resolve, delay.ms));
      return new Response(body, {
        status: answer.status,
        headers: { "content-type": "application/json" },
      });
    }
    return Response.json(answer.body, { status: answer.status });
  }

  private route(
    method: string,
    path: string,
    params: Record<string, FormValue>,
  ): Answer {
    const expand = expandList(params);
    const one = (found: StripeObject | undefined, what: string): Answer =>
      found === undefined
        ? missing(what)
        : { status: 200, body: this.expand(found, expand) };
    let m: RegExpMatchArray | null;
    if (method === "POST" && path === "/v1/customers") {
      const customer = this.addCustomer({
        email: typeof params.email === "string" ? params.email : null,
        name: typeof params.name === "string" ? params.name : null,
        metadata: params.metadata ?? {},
      });
      return { status: 200, body: structuredClone(customer) };
    }
    if ((m = path.match(/^\/v1\/customers\/([^/]+)$/))) {
      const customer = this.customers.get(m[1]);
      if (method === "GET") return one(customer, "customer");
      if (method === "DELETE") {
        if (customer === undefined || customer.deleted) {
          return missing("customer");
        }
        // Deleting a customer cancels its subscriptions at once.
        for (const sub of this.subscriptions.values()) {
          if (sub.customer === m[1] && sub.status !== "canceled") {
            this.updateSubscription(sub.id, { status: "canceled" });
          }
        }
        const gone = { id: m[1], object: "customer", deleted: true };
        this.customers.set(m[1], gone);
        return { status: 200, body: gone };
      }
    }
    if (method === "GET" && path === "/v1/subscriptions") {
      const all = params.status === "all";
      const subs = [...this.subscriptions.values()].reverse().filter((s) =>
        (params.customer === undefined || s.customer === params.customer) &&
        (all
          ? true
          : params.status === undefined
          ? s.status !== "canceled"
          : s.status === params.status)
      );
      return {
        status: 200,
        body: this.list(subs, params, "/v1/subscriptions"),
      };
    }
    if ((m = path.match(/^\/v1\/subscriptions\/([^/]+)$/))) {
      const sub = this.subscriptions.get(m[1]);
      if (method === "GET") return one(sub, "subscription");
      if (method === "DELETE") {
        if (sub === undefined) return missing("subscription");
        if (sub.status !== "canceled") {
          this.updateSubscription(sub.id, { status: "canceled" });
        }
        return { status: 200, body: this.expand(sub, expand) };
      }
    }
    if (method === "POST" && path === "/v1/checkout/sessions") {
      return this.createCheckout(params);
    }
    if (method === "POST" && path === "/v1/billing_portal/sessions") {
      const customer = this.customers.get(String(params.customer));
      if (customer === undefined || customer.deleted) {
        return missing("customer");
      }
      const id = newId("bps");
      const session = shape("billing_portal.session", {
        id,
        customer: customer.id,
        created: nowSeconds(),
        flow: null,
        return_url: params.return_url ?? null,
        url: `${this.url}/portal/${id}`,
      });
      this.portalSessions.set(id, session);
      return { status: 200, body: structuredClone(session) };
    }
    if (method === "GET" && path === "/v1/invoices") {
      const invoices = [...this.invoices.values()].reverse().filter((i) =>
        params.customer === undefined || i.customer === params.customer
      );
      return { status: 200, body: this.list(invoices, params, "/v1/invoices") };
    }
    if (method === "GET" && (m = path.match(/^\/v1\/charges\/([^/]+)$/))) {
      return one(this.charges.get(m[1]), "charge");
    }
    return stripeError(
      404,
      "invalid_request_error",
      `Unrecognized request URL (${method}: ${path}).`,
    );
  }

  private createCheckout(params: Record<string, FormValue>): Answer {
    const customer = this.customers.get(String(params.customer));
    if (customer === undefined || customer.deleted) return missing("customer");
    const items = params.line_items as StripeObject[] | undefined;
    const price = items?.[0]?.price;
    if (params.mode !== "subscription" || typeof price !== "string") {
      return invalid("mode=subscription and line_items[0][price] are required");
    }
    for (const name of ["success_url", "cancel_url"]) {
      if (typeof params[name] !== "string") {
        return invalid(`${name} is required`);
      }
    }
    const id = newId("cs_test");
    const session = shape("checkout.session", {
      id,
      mode: "subscription",
      customer: customer.id,
      client_reference_id: params.client_reference_id ?? null,
      metadata: params.metadata ?? {},
      success_url: params.success_url,
      cancel_url: params.cancel_url,
      status: "open",
      payment_status: "unpaid",
      subscription: null,
      created: nowSeconds(),
      url: `${this.url}/checkout/${id}`,
      line_items: [{ price, quantity: 1 }],
    });
    this.checkoutSessions.set(id, session);
    const body = structuredClone(session);
    delete body.line_items; // Stripe does not return them unless expanded
    return { status: 200, body };
  }

  private list(
    items: StripeObject[],
    params: Record<string, FormValue>,
    url: string,
  ): StripeObject {
    let start = 0;
    if (typeof params.starting_after === "string") {
      start = items.findIndex((i) => i.id === params.starting_after) + 1;
    }
    const limit = Math.min(100, Math.max(1, Number(params.limit ?? 10) || 10));
    const page = items.slice(start, start + limit);
    const expand = expandList(params)
      .filter((p) => p.startsWith("data."))
      .map((p) => p.slice(5));
    return {
      object: "list",
      url,
      has_more: start + limit < items.length,
      data: page.map((i) => this.expand(i, expand)),
    };
  }

  /** A copy of `object` with each `a.b.c` path's id replaced by its object. */
  private expand(object: StripeObject, paths: string[]): StripeObject {
    let out = structuredClone(object);
    for (const path of paths) out = this.expandPath(out, path.split("."));
    return out;
  }

  private expandPath(object: StripeObject, path: string[]): StripeObject {
    const [head, ...rest] = path;
    let value = object[head];
    if (typeof value === "string") {
      value = structuredClone(this.lookup(value)) ?? value;
    }
    if (rest.length > 0 && typeof value === "object" && value !== null) {
      value = this.expandPath(value, rest);
    }
    return { ...object, [head]: value };
  }

  private lookup(id: string): StripeObject | undefined {
    const prefix = id.slice(0, id.indexOf("_"));
    const table = {
      cus: this.customers,
      sub: this.subscriptions,
      pm: this.paymentMethods,
      in: this.invoices,
      ch: this.charges,
    }[prefix];
    return table?.get(id);
  }

  // --- Pages for a browser (stripe/pages.ts) ---------------------------

  private async pages(req: Request, url: URL): Promise<Response> {
    return await standinPage(this, req, url);
  }
}

function stripeError(status: number, type: string, message: string): Answer {
  return { status, body: { error: { type, message } } };
}

function missing(what: string): Answer {
  return {
    status: 404,
    body: {
      error: {
        type: "invalid_request_error",
        code: "resource_missing",
        message: `No such ${what}`,
      },
    },
  };
}

function invalid(message: string): Answer {
  return {
    status: 400,
    body: { error: { type: "invalid_request_error", message } },
  };
}
