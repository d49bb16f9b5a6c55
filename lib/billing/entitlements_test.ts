import { deepStrictEqual, strictEqual } from "node:assert/strict";
import type { SubscriptionTier } from "../db/users.ts";
import { cheapestPlanWith, entitlements } from "./entitlements.ts";
import { FEATURES, higherTier, priceOfTier, tierOfPrice } from "./plans.ts";

Deno.test("entitlements: each tier's features and limits, from the tier on the user row", () => {
  const of = (tier: string) =>
    entitlements({ subscriptionTier: tier as SubscriptionTier });
  deepStrictEqual(
    FEATURES.map((
      f,
    ) => [of("free").may(f), of("pro").may(f), of("team").may(f)]),
    [[false, true, true], [false, true, true], [false, false, true]],
  );
  strictEqual(of("free").limit("projects"), 3);
  strictEqual(of("pro").limit("projects"), 50);
  strictEqual(of("team").limit("members"), 25);
  // A tier this version does not know grants what free does.
  strictEqual(of("enterprise").plan.tier, "free");
  strictEqual(of("enterprise").may("pro_reports"), false);
  strictEqual(of("__proto__").plan.tier, "free");
  strictEqual(cheapestPlanWith("pro_reports").tier, "pro");
  strictEqual(cheapestPlanWith("team_members").tier, "team");
});

Deno.test("plans: prices map to tiers as configured; the first price is sold", () => {
  const prices = { pro: ["price_p1", "price_p2"], team: ["price_t"] };
  strictEqual(tierOfPrice(prices, "price_p2"), "pro");
  strictEqual(tierOfPrice(prices, "price_t"), "team");
  strictEqual(tierOfPrice(prices, "price_x"), null);
  strictEqual(tierOfPrice(prices, null), null);
  strictEqual(priceOfTier(prices, "pro"), "price_p1");
  strictEqual(priceOfTier({ pro: [], team: [] }, "team"), null);
  strictEqual(higherTier("pro", "team"), "team");
  strictEqual(higherTier("team", "free"), "team");
  strictEqual(higherTier("free", "free"), "free");
});
