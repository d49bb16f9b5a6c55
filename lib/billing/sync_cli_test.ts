import { match, strictEqual } from "node:assert/strict";
import { withTestDb } from "../db/testing.ts";
import { createUser, getUserById, updateBilling } from "../db/users.ts";
import { StripeStandin } from "../../tests/helpers/stripe_standin.ts";

const ROOT = new URL("../..", import.meta.url).pathname;

async function task(env: Record<string, string>) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["task", "billing:sync"],
    cwd: ROOT,
    // The app's settings only: none of this process's database or Redis.
    env: { DATABASE_URL: "", REDIS_URL: "", ...env, NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout) +
    new TextDecoder().decode(out.stderr);
  return { code: out.code, text };
}

Deno.test("deno task billing:sync fixes drift in the configured database, and says nothing changed the second time", async () => {
  const stripe = await StripeStandin.start();
  try {
    await withTestDb(async (db, path) => {
      const user = await createUser(db, {
        email: "sync@example.com",
        username: "sync",
        emailVerifiedAt: Date.now(),
      });
      const customer = stripe.addCustomer({ metadata: { user_id: user.id } });
      await updateBilling(db, user.id, { stripeCustomerId: customer.id });
      stripe.addSubscription(customer.id, { tier: "team" });
      const env = { ...stripe.env(), DATABASE_PATH: path };
      const first = await task(env);
      strictEqual(first.code, 0, first.text);
      match(first.text, /1 customers checked, 1 plans fixed, 0 failed/);
      match(first.text, /free → team/);
      strictEqual((await getUserById(db, user.id))?.subscriptionTier, "team");
      const second = await task(env);
      strictEqual(second.code, 0, second.text);
      match(second.text, /1 customers checked, 0 plans fixed, 0 failed/);
      const off = await task({ DATABASE_PATH: path });
      strictEqual(off.code, 1);
      match(off.text, /Billing is not configured/);
    });
  } finally {
    await stripe.close();
  }
});
