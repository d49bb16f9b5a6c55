/**
 * Whatever arrives at the webhook, the answer is a 200 or a 4xx, never a
 * 500 or a throw: unsigned noise, and signed bodies of any shape (only
 * someone holding the secret can send those, but a bug on Stripe's side
 * or a new event shape must not become an error either).
 */
import fc from "fast-check";
import { ok } from "node:assert/strict";
import { withTestDb } from "../db/testing.ts";
import { withBilling } from "./testing.ts";
import { handleWebhook } from "./webhook.ts";

Deno.test("webhook property: unsigned or wrongly signed input of any kind is a 400", async () => {
  await withTestDb((db) =>
    withBilling(db, async ({ deps }) => {
      await fc.assert(
        fc.asyncProperty(
          fc.string({ maxLength: 2000 }),
          fc.option(fc.string({ maxLength: 300 }), { nil: null }),
          async (payload, signature) => {
            const answer = await handleWebhook(deps, payload, signature);
            ok(answer.status === 400, JSON.stringify(answer));
          },
        ),
        { numRuns: 300 },
      );
    })
  );
});

Deno.test("webhook property: any signed JSON is answered 200 or 400, never 500", async () => {
  await withTestDb((db) =>
    withBilling(db, async ({ deps, stripe }) => {
      const id = fc.oneof(
        fc.string({ maxLength: 30 }),
        fc.stringMatching(/^evt_[A-Za-z0-9]{1,20}$/),
      );
      const type = fc.oneof(
        fc.constantFrom(
          "customer.subscription.updated",
          "invoice.payment_failed",
          "charge.dispute.created",
          "checkout.session.completed",
        ),
        fc.string({ maxLength: 40 }),
      );
      const object = fc.oneof(
        fc.jsonValue(),
        fc.record({
          customer: fc.oneof(fc.jsonValue(), fc.string({ maxLength: 30 })),
          charge: fc.oneof(fc.jsonValue(), fc.string({ maxLength: 30 })),
        }),
      );
      await fc.assert(
        fc.asyncProperty(
          fc.oneof(
            fc.record({ id, type, data: fc.record({ object }) }),
            fc.jsonValue(),
          ),
          async (event) => {
            const { payload, signature } = await stripe.webhook(
              JSON.stringify(event),
            );
            const answer = await handleWebhook(deps, payload, signature);
            ok(
              answer.status === 200 || answer.status === 400,
              `${JSON.stringify(answer)} for ${payload}`,
            );
          },
        ),
        { numRuns: 300 },
      );
    })
  );
});
