/**
 * Whatever a signed-in client sends to the billing buttons (the page's
 * form and the JSON endpoints), the answer is a 303 or 200 for a plan on
 * sale and a 4xx otherwise, never a 5xx: JSON of any shape, form fields
 * of any text, any content type. Both engines, Stripe the stand-in, rate
 * limits off so that every run reaches the action.
 */
import fc from "fast-check";
import { ok, strictEqual } from "node:assert/strict";
import { billingAppTest, verifiedClient } from "../helpers/billing.ts";

const PLANS = new Set(["pro", "team"]);

billingAppTest(
  "billing input property: any JSON to /api/billing/checkout is a 200 (a plan on sale) or a 4xx with the error shape, never a 5xx",
  async (app, stripe) => {
    const { client } = await verifiedClient(app);
    const plan = fc.oneof(
      fc.constantFrom("pro", "team", "free", "PRO", " pro", "__proto__"),
      fc.string({ maxLength: 40 }),
      fc.jsonValue(),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.record({ plan }, { requiredKeys: [] }),
          fc.dictionary(fc.string({ maxLength: 12 }), fc.jsonValue()),
          fc.jsonValue(),
        ),
        async (body) => {
          const res = await client.post("/api/billing/checkout", {
            json: body,
          });
          const wanted = typeof body === "object" && body !== null &&
            !Array.isArray(body) &&
            PLANS.has((body as Record<string, unknown>).plan as string);
          if (wanted) {
            strictEqual(res.status, 200, res.text);
            ok(String(res.json.url).startsWith(stripe.url), res.text);
          } else {
            ok(
              res.status >= 400 && res.status < 500,
              `${res.status} ${res.text}`,
            );
            strictEqual(res.json.success, false);
            strictEqual(typeof res.json.error, "string");
          }
        },
      ),
      { numRuns: 150 },
    );
  },
  { env: { RATE_LIMITS: "off" } },
);

billingAppTest(
  "billing input property: any form to /settings/billing, with any content type, is a 303 or a 4xx page, never a 5xx",
  async (app) => {
    const { client } = await verifiedClient(app);
    const field = fc.oneof(
      fc.constantFrom("checkout", "portal", "pro", "team", ""),
      fc.string({ maxLength: 60 }),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.dictionary(
          fc.oneof(
            fc.constantFrom("action", "plan"),
            fc.string({ maxLength: 10 }),
          ),
          field,
        ),
        fc.constantFrom(
          "application/x-www-form-urlencoded",
          "application/json",
          "text/plain",
          "multipart/form-data; boundary=x",
        ),
        async (fields, type) => {
          const body = type === "application/json"
            ? JSON.stringify(fields)
            : new URLSearchParams(fields).toString();
          const res = await client.post("/settings/billing", {
            body,
            headers: { accept: "text/html", "content-type": type },
          });
          ok(
            res.status === 303 || (res.status >= 400 && res.status < 500),
            `${res.status} for ${type} ${body}`,
          );
          if (res.status !== 303) {
            ok(res.headers.get("content-type")?.includes("text/html"));
          }
        },
      ),
      { numRuns: 150 },
    );
  },
  { env: { RATE_LIMITS: "off" } },
);
