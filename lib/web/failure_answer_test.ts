import { deepStrictEqual, strictEqual } from "node:assert/strict";
import { failure } from "../auth/outcome.ts";
import {
  FAILURE_STATUS,
  failureHeaders,
  failureJson,
  failureStatus,
} from "./failure_answer.ts";

Deno.test("failureStatus: each reason has its one status", () => {
  deepStrictEqual(FAILURE_STATUS, {
    invalid: 400,
    wrong_credentials: 401,
    not_found: 404,
    taken: 409,
    unverified: 403,
    rate_limited: 429,
    busy: 503,
    unavailable: 503,
    no_email: 400,
    email_taken: 409,
    already_connected: 409,
    last_method: 409,
  });
  strictEqual(failureStatus(failure("taken", "x")), 409);
  strictEqual(failureStatus(failure("unavailable", "x")), 503);
});

Deno.test("failureJson: the JSON error shape, details and Retry-After", async () => {
  const res = failureJson(
    failure("invalid", "Please correct the highlighted fields", {
      details: { email: "Enter an email address" },
    }),
  );
  deepStrictEqual([res.status, await res.json()], [400, {
    success: false,
    error: "Please correct the highlighted fields",
    details: { email: "Enter an email address" },
  }]);
  strictEqual(res.headers.get("retry-after"), null);
  const busy = failureJson(
    failure("busy", "Busy, try again in 3 seconds", { retryAfterSeconds: 3 }),
  );
  strictEqual(busy.status, 503);
  strictEqual(busy.headers.get("retry-after"), "3");
  deepStrictEqual(failureHeaders(failure("not_found", "No such session")), {});
  await busy.body?.cancel();
});
