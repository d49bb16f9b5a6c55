import assert from "node:assert/strict";
import { normalizeEmail } from "../auth/email_rule.ts";
import { createMemoryCache } from "../cache/memory.ts";
import {
  clearSignInFailures,
  ipRateLimitKey,
  RATE_LIMITS,
  rateLimit,
  rateLimitKey,
  resetRateLimit,
  signInAttempt,
  signInBlockedFor,
  tooManyRequests,
} from "./rate_limit.ts";

function clock(start = 0) {
  const c = { t: start, now: () => c.t };
  return c;
}

Deno.test("policies are design.md's table", () => {
  const table = Object.fromEntries(
    Object.entries(RATE_LIMITS).map((
      [k, p],
    ) => [k, [p.limit, p.windowMs / 60_000]]),
  );
  assert.deepEqual(table, {
    default: [100, 1],
    api: [1000, 60],
    auth: [11, 5],
    signInAccount: [5, 15],
    registration: [3, 60],
    verificationResend: [3, 10],
    export: [5, 60],
    account: [60, 15],
    twoFactor: [20, 15],
    billing: [20, 15],
  });
  const names = Object.values(RATE_LIMITS).map((p) => p.name);
  assert.equal(
    new Set(names).size,
    names.length,
    "policies must not share counters",
  );
});

Deno.test("tooManyRequests: 429, Retry-After in whole seconds ≥ 1, JSON body", async () => {
  const res = tooManyRequests({
    allowed: false,
    remaining: 0,
    retryAfterMs: 41_001,
  });
  assert.equal(res.status, 429);
  assert.equal(res.headers.get("retry-after"), "42");
  assert.match(res.headers.get("content-type")!, /^application\/json/);
  assert.equal(res.headers.get("cache-control"), "no-store");
  assert.deepEqual(await res.json(), {
    success: false,
    error: "Too many requests, try again in 42 seconds",
  });
  for (const ms of [0, 1, 999, 1000]) {
    const r = tooManyRequests({
      allowed: false,
      remaining: 0,
      retryAfterMs: ms,
    });
    assert.equal(r.headers.get("retry-after"), "1", `${ms} ms`);
    await r.body?.cancel();
  }
  const custom = tooManyRequests({
    allowed: false,
    remaining: 0,
    retryAfterMs: 5_000,
  }, "Slow down");
  assert.equal(custom.headers.get("retry-after"), "5");
  assert.deepEqual(await custom.json(), { success: false, error: "Slow down" });
});

Deno.test("rateLimitKey: prefixed per policy, odd or huge keys hashed", async () => {
  assert.equal(
    await rateLimitKey(RATE_LIMITS.auth, "203.0.113.9"),
    "rl:auth:203.0.113.9",
  );
  assert.equal(
    await rateLimitKey(RATE_LIMITS.default, "2001:db8::/64"),
    "rl:default:2001:db8::/64",
  );
  const huge = await rateLimitKey(RATE_LIMITS.auth, "x".repeat(100_000));
  assert.match(huge, /^rl:auth:#[0-9a-f]{64}$/);
  const email = await rateLimitKey(
    RATE_LIMITS.signInAccount,
    "alice@example.com",
  );
  assert.match(
    email,
    /^rl:signin:#[0-9a-f]{64}$/,
    "emails are not stored in clear",
  );
  assert.notEqual(
    huge,
    await rateLimitKey(RATE_LIMITS.auth, "x".repeat(99_999)),
  );
  assert.notEqual(
    await rateLimitKey(RATE_LIMITS.auth, "1.2.3.4"),
    await rateLimitKey(RATE_LIMITS.registration, "1.2.3.4"),
  );
});

Deno.test("ipRateLimitKey: IPv4 as is, IPv6 per /64", () => {
  assert.equal(ipRateLimitKey("203.0.113.9"), "203.0.113.9");
  assert.equal(ipRateLimitKey("::ffff:203.0.113.9"), "203.0.113.9");
  assert.equal(
    ipRateLimitKey("2001:db8:1:2:aaaa:bbbb:cccc:dddd"),
    "2001:db8:1:2::/64",
  );
  assert.equal(
    ipRateLimitKey("2001:db8:1:2::1"),
    ipRateLimitKey("2001:DB8:1:2:ffff::9"),
  );
  assert.equal(ipRateLimitKey("unknown"), "unknown");
});

Deno.test("rateLimit: policies count separately and reset", async () => {
  const cache = createMemoryCache();
  try {
    for (let i = 0; i < 3; i++) {
      assert.ok(
        (await rateLimit(cache, RATE_LIMITS.registration, "1.2.3.4")).allowed,
      );
    }
    const refused = await rateLimit(cache, RATE_LIMITS.registration, "1.2.3.4");
    assert.equal(refused.allowed, false);
    assert.ok(
      refused.retryAfterMs > 0 &&
        refused.retryAfterMs <= 2 * RATE_LIMITS.registration.windowMs,
    );
    assert.ok((await rateLimit(cache, RATE_LIMITS.auth, "1.2.3.4")).allowed);
    assert.ok(
      (await rateLimit(cache, RATE_LIMITS.registration, "1.2.3.5")).allowed,
    );
    await resetRateLimit(cache, RATE_LIMITS.registration, "1.2.3.4");
    assert.ok(
      (await rateLimit(cache, RATE_LIMITS.registration, "1.2.3.4")).allowed,
    );
  } finally {
    await cache.close();
  }
});

Deno.test("sign-in per account: 5 failures per 15 minutes, any spelling of the email", async () => {
  const c = clock(1_000_000_000);
  const cache = createMemoryCache({ now: c.now });
  try {
    assert.equal(normalizeEmail("  Alice@Example.COM "), "alice@example.com");
    const spellings = [
      "alice@example.com",
      "ALICE@example.com",
      " Alice@Example.com",
    ];
    for (let i = 0; i < 5; i++) {
      assert.ok(
        (await signInAttempt(cache, spellings[i % 3])).allowed,
        `attempt ${i + 1}`,
      );
    }
    const blocked = await signInAttempt(cache, "alice@EXAMPLE.com");
    assert.equal(blocked.allowed, false);
    assert.ok(blocked.retryAfterMs > 0);
    // Other accounts are unaffected.
    assert.ok((await signInAttempt(cache, "bob@example.com")).allowed);
    // Blocked for the window, free again after.
    c.t += blocked.retryAfterMs - 1;
    assert.equal(
      (await signInAttempt(cache, "alice@example.com")).allowed,
      false,
    );
    c.t += 1;
    assert.ok((await signInAttempt(cache, "alice@example.com")).allowed);
  } finally {
    await cache.close();
  }
});

Deno.test("sign-in per account: success clears; parallel guesses cannot overtake the count", async () => {
  const cache = createMemoryCache();
  try {
    for (let i = 0; i < 4; i++) await signInAttempt(cache, "carol@example.com");
    assert.ok((await signInAttempt(cache, "carol@example.com")).allowed); // 5th: right password
    await clearSignInFailures(cache, "Carol@Example.com");
    for (let i = 0; i < 5; i++) {
      assert.ok((await signInAttempt(cache, "carol@example.com")).allowed);
    }

    const burst = await Promise.all(
      Array.from(
        { length: 100 },
        () => signInAttempt(cache, "dave@example.com"),
      ),
    );
    assert.equal(burst.filter((r) => r.allowed).length, 5);
  } finally {
    await cache.close();
  }
});

Deno.test("sign-in API as lib/web/auth.ts uses it: blockedFor counts every attempt", async () => {
  const cache = createMemoryCache();
  try {
    for (let i = 0; i < 5; i++) {
      assert.equal(await signInBlockedFor(cache, "erin@example.com"), 0);
    }
    const wait = await signInBlockedFor(cache, "Erin@example.com");
    assert.ok(wait >= 1 && wait <= 2 * 15 * 60, `${wait}`);
    await clearSignInFailures(cache, "erin@example.com");
    assert.equal(await signInBlockedFor(cache, "erin@example.com"), 0);
    // Policies by name, as limitByIp passes them.
    for (let i = 0; i < 3; i++) {
      assert.ok((await rateLimit(cache, "registration", "1.2.3.4")).allowed);
    }
    assert.equal(
      (await rateLimit(cache, "registration", "1.2.3.4")).allowed,
      false,
    );
    assert.equal(
      await rateLimitKey("auth", "1.2.3.4"),
      await rateLimitKey(RATE_LIMITS.auth, "1.2.3.4"),
    );
  } finally {
    await cache.close();
  }
});
