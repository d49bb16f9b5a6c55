import { ok, strictEqual } from "node:assert/strict";
import { failureStatus } from "../web/failure_answer.ts";
import { GATED_FEATURES, mayUse, requireVerified } from "./verified.ts";

Deno.test("an unverified account may not use billing; a verified one may", () => {
  const unverified = { emailVerifiedAt: null };
  const verified = { emailVerifiedAt: 1_700_000_000_000 };
  strictEqual(mayUse(unverified, "billing"), false);
  strictEqual(mayUse(verified, "billing"), true);
  strictEqual(requireVerified(verified, "billing"), null);
  const refused = requireVerified(unverified, "billing");
  ok(refused !== null);
  strictEqual(refused.reason, "unverified");
  strictEqual(failureStatus(refused), 403);
  ok(refused.error.startsWith("Confirm your email address"), refused.error);
});

Deno.test("every gated feature is refused to an unverified account and allowed once verified", () => {
  for (const feature of GATED_FEATURES) {
    ok(!mayUse({ emailVerifiedAt: null }, feature), feature);
    ok(mayUse({ emailVerifiedAt: 1 }, feature), feature);
    // A verified-at of 0 (the epoch) is still a time, not "never".
    ok(mayUse({ emailVerifiedAt: 0 }, feature), feature);
  }
});
