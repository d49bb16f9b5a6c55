/**
 * Reconciliation: every account with a Stripe customer re-read from Stripe
 * and written where Islet's copy drifted (a webhook lost for good, a
 * change made while the endpoint was down, a restored backup). The same
 * path as the webhook (`syncCustomer`), so a second run over unchanged
 * Stripe state writes the same rows and changes no tier: idempotent.
 * Processed webhook events older than 30 days are purged on the way.
 *
 * @module
 */
import { purgeProcessedEvents } from "../db/stripe_events.ts";
import { usersWithCustomers } from "../db/subscriptions.ts";
import { type BillingDeps, syncCustomer, UserGoneError } from "./sync.ts";

/** What {@linkcode syncAllCustomers} did. */
export interface SyncAllReport {
  /** Customers read from Stripe. */
  checked: number;
  /** Accounts whose plan tier changed (drift fixed), as "userId: from → to". */
  changed: string[];
  /** Customers that could not be read or written (retried next run). */
  failed: number;
  /** Old processed events removed. */
  purged: number;
}

/** How long processed event ids are kept: Stripe retries for 3 days at most. */
export const EVENT_RETENTION_MS = 30 * 86_400_000;

/**
 * Re-reads every customer from Stripe, a page of accounts at a time.
 *
 * @example
 * ```ts
 * import type { BillingDeps } from "./sync.ts";
 * declare const deps: BillingDeps;
 * const report = await syncAllCustomers(deps);
 * console.log(`${report.checked} checked, ${report.changed.length} fixed`);
 * ```
 */
export async function syncAllCustomers(
  deps: BillingDeps,
  options: { pageSize?: number; now?: number } = {},
): Promise<SyncAllReport> {
  const report: SyncAllReport = {
    checked: 0,
    changed: [],
    failed: 0,
    purged: 0,
  };
  let after = "";
  for (;;) {
    const page = await usersWithCustomers(
      deps.db,
      after,
      options.pageSize ?? 100,
    );
    if (page.length === 0) break;
    for (const user of page) {
      try {
        const result = await syncCustomer(deps, user);
        report.checked++;
        if (result.from !== result.to) {
          report.changed.push(`${user.id}: ${result.from} → ${result.to}`);
        }
      } catch (err) {
        if (err instanceof UserGoneError) continue;
        report.failed++;
        console.error(
          `billing:sync: customer of account ${user.id} failed:`,
          err instanceof Error ? `${err.name}: ${err.message}` : String(err),
        );
      }
    }
    after = page[page.length - 1].id;
  }
  report.purged = await purgeProcessedEvents(
    deps.db,
    (options.now ?? Date.now()) - EVENT_RETENTION_MS,
  );
  return report;
}
