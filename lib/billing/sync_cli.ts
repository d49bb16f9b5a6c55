/**
 * `deno task billing:sync`: re-reads every Stripe customer and fixes
 * drift (`sync_all.ts`), with the app's settings (database, Redis, Stripe
 * keys). Prints what changed; exits 1 when a customer could not be
 * synced (run it again) or billing is not configured.
 *
 * @module
 */
import { createCache } from "../cache/mod.ts";
import { type Config, loadConfig } from "../config.ts";
import type { Queryable } from "../db/db.ts";
import { migrate } from "../db/migrate.ts";
import { openDatabase } from "../db/open.ts";
import { enqueueEmail } from "../email/outbox_table.ts";
import type { EmailMessage } from "../email/mail.ts";
import { createBilling } from "./client.ts";
import { syncAllCustomers } from "./sync_all.ts";

/**
 * Runs the reconciliation and returns the process exit code.
 *
 * @example
 * ```ts
 * import { loadConfig } from "../config.ts";
 * Deno.exit(await main(loadConfig()));
 * ```
 */
export async function main(config: Config): Promise<number> {
  if (config.billing === null) {
    console.error("Billing is not configured (STRIPE_SECRET_KEY is unset).");
    return 1;
  }
  const db = await openDatabase(config);
  const cache = await createCache(config.redisUrl).catch(async (err) => {
    await db.close();
    throw err;
  });
  try {
    await migrate(db);
    const report = await syncAllCustomers({
      billing: createBilling(config.billing),
      db,
      cache,
      // Sync writes no mail; anything queued goes out with the app's deliverer.
      mailer: {
        async send(tx: Queryable, m: EmailMessage) {
          await enqueueEmail(tx, m);
        },
      },
      config,
    });
    console.log(
      `billing:sync: ${report.checked} customers checked, ${report.changed.length} plans fixed, ${report.failed} failed, ${report.purged} old events purged`,
    );
    for (const line of report.changed) console.log(`  ${line}`);
    return report.failed === 0 ? 0 : 1;
  } finally {
    await cache.close();
    await db.close();
  }
}

if (import.meta.main) {
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    Deno.exit(1);
  }
  Deno.exit(await main(config));
}
