/**
 * Webhook throughput (scenario w of `deno task bench`): distinct signed
 * Stripe events posted as fast as 32 concurrent senders can to the built
 * app on SQLite, each one checked by signature, recorded in
 * `stripe_events`, re-read from the local Stripe stand-in (the real SDK
 * over HTTP) and written in one transaction.
 *
 * @module
 */
import { openSqlite } from "../../lib/db/sqlite.ts";
import { createUser, updateBilling } from "../../lib/db/users.ts";
import type { StripeStandin } from "../helpers/stripe_standin.ts";

/** What {@linkcode measureWebhooks} measured. */
export interface WebhookBench {
  events: number;
  eventsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** The app process's CPU time per event (user + system), load-independent. */
  cpuUsPerEvent: number;
}

/**
 * Sends `events` distinct events over `customers` paying accounts to the
 * app at `appUrl`, whose SQLite file is `dbPath` and whose Stripe is
 * `stripe`; throws unless every one was answered 200 and processed.
 *
 * @example
 * ```ts
 * import { StripeStandin } from "../helpers/stripe_standin.ts";
 * declare const stripe: StripeStandin;
 * const r = await measureWebhooks("http://127.0.0.1:8000", "data/bench.db", stripe, {
 *   events: 4000,
 *   cpuSeconds: () => 0,
 * });
 * console.log(`${r.eventsPerSecond.toFixed(0)} events/s`);
 * ```
 */
export async function measureWebhooks(
  appUrl: string,
  dbPath: string,
  stripe: StripeStandin,
  opts: {
    events: number;
    customers?: number;
    concurrency?: number;
    /** The app process's CPU seconds so far. */
    cpuSeconds: () => number;
  },
): Promise<WebhookBench> {
  const db = openSqlite(dbPath);
  const subs: string[] = [];
  try {
    for (let i = 0; i < (opts.customers ?? 50); i++) {
      const user = await createUser(db, {
        email: `webhook-bench-${i}@example.com`,
        username: `webhookbench${i}`,
        emailVerifiedAt: Date.now(),
      });
      const customer = stripe.addCustomer({ metadata: { user_id: user.id } });
      await updateBilling(db, user.id, { stripeCustomerId: customer.id });
      subs.push(stripe.addSubscription(customer.id).id);
    }
    const sign = async (n: number) => {
      const out: RequestInit[] = [];
      for (let i = 0; i < n; i++) {
        const sub = subs[i % subs.length];
        const event = i % 2
          ? stripe.subscriptionEvent("updated", sub)
          : stripe.invoiceEvent("paid", sub);
        out.push((await stripe.webhook(event)).init);
      }
      return out;
    };
    await send(appUrl, await sign(300), opts.concurrency ?? 32); // warm-up
    const deliveries = await sign(opts.events);
    const cpuBefore = opts.cpuSeconds();
    const start = performance.now();
    const latencies = await send(appUrl, deliveries, opts.concurrency ?? 32);
    const seconds = (performance.now() - start) / 1000;
    const cpu = opts.cpuSeconds() - cpuBefore;
    const processed = Number(
      (await db.get(
        "SELECT count(*) AS n FROM stripe_events WHERE processed_at IS NOT NULL AND outcome = 'synced'",
      ))?.n,
    );
    if (processed !== opts.events + 300) {
      throw new Error(
        `w: ${processed} of ${opts.events + 300} events processed`,
      );
    }
    latencies.sort((a, b) => a - b);
    return {
      events: opts.events,
      eventsPerSecond: opts.events / seconds,
      p50Ms: latencies[Math.floor(latencies.length * 0.5)],
      p99Ms: latencies[Math.floor(latencies.length * 0.99)],
      cpuUsPerEvent: cpu * 1e6 / opts.events,
    };
  } finally {
    await db.close();
  }
}

/** Posts every delivery with `concurrency` senders; the latency of each. */
async function send(
  appUrl: string,
  deliveries: RequestInit[],
  concurrency: number,
): Promise<number[]> {
  const latencies: number[] = [];
  let next = 0;
  const sender = async () => {
    while (next < deliveries.length) {
      const init = deliveries[next++];
      const t = performance.now();
      const res = await fetch(`${appUrl}/api/stripe/webhook`, init);
      const text = await res.text();
      latencies.push(performance.now() - t);
      if (res.status !== 200) {
        throw new Error(`w: webhook answered ${res.status}: ${text}`);
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, sender));
  return latencies;
}
