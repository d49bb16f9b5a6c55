import { deepStrictEqual, ok, rejects, strictEqual } from "node:assert/strict";
import { createUser } from "../db/users.ts";
import { dbTest } from "../db/testing.ts";
import {
  configurePasswordHashing,
  DEFAULT_HASH_QUEUE,
  dummyVerify,
  hashingBusy,
  hashPassword,
  QueueFullError,
  verifyPassword,
} from "./password.ts";
import { defaultConcurrency } from "./hash_queue.ts";
import { signIn, type SignInLimiter } from "./sign_in.ts";
import { failureStatus } from "../web/failure_answer.ts";
import { signUp } from "./sign_up.ts";
import { mailDeps } from "./mail_testing.ts";

const META = { ip: "192.0.2.1", userAgent: "test" };
const PASSWORD = "Tulip orbit 7391 quartz!";

function spyLimiter(): SignInLimiter & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    blockedFor: () => (calls.push("blockedFor"), Promise.resolve(0)),
    succeeded: () => (calls.push("succeeded"), Promise.resolve()),
  };
}

/** Runs `fn` with one hashing slot, no queue, and that slot taken. */
async function withHashingFull(fn: () => Promise<void>): Promise<void> {
  configurePasswordHashing({ concurrency: 1, maxQueued: 0 });
  const holder = hashPassword("holds the only slot");
  try {
    await fn();
  } finally {
    await holder;
    configurePasswordHashing({
      concurrency: defaultConcurrency(),
      maxQueued: DEFAULT_HASH_QUEUE,
    });
  }
}

Deno.test("hashPassword, verifyPassword and dummyVerify all wait in the one bounded queue", async () => {
  const stored = await hashPassword(PASSWORD);
  await dummyVerify(); // make the dummy hash outside the test's queue
  strictEqual(hashingBusy(), null);
  await withHashingFull(async () => {
    ok(hashingBusy() instanceof QueueFullError);
    await rejects(hashPassword(PASSWORD), QueueFullError);
    await rejects(verifyPassword(stored, PASSWORD), QueueFullError);
    await rejects(dummyVerify(), QueueFullError);
  });
  strictEqual(await verifyPassword(stored, PASSWORD), true);
});

dbTest(
  "signIn: busy hashing is a 503 domain result, not counted against the account",
  async (db) => {
    await createUser(db, {
      email: "ada@example.com",
      username: "ada",
      passwordHash: await hashPassword(PASSWORD),
    });
    await withHashingFull(async () => {
      for (const email of ["ada@example.com", "nobody@example.com"]) {
        const limiter = spyLimiter();
        const result = await signIn(
          db,
          limiter,
          { email, password: PASSWORD },
          META,
        );
        ok(!result.ok && failureStatus(result) === 503);
        strictEqual(result.reason, "busy");
        ok((result.retryAfterSeconds ?? 0) >= 1);
        deepStrictEqual(limiter.calls, [], "no attempt counted");
      }
    });
    // With the slot free again, the same sign-in succeeds.
    const result = await signIn(db, spyLimiter(), {
      email: "ada@example.com",
      password: PASSWORD,
    }, META);
    strictEqual(result.ok, true);
  },
);

dbTest(
  "signUp: busy hashing is a 503 domain result and creates nothing",
  async (db) => {
    await withHashingFull(async () => {
      const result = await signUp(mailDeps(db), {
        email: "grace@example.com",
        password: PASSWORD,
      }, META);
      ok(!result.ok && failureStatus(result) === 503);
      ok((result.retryAfterSeconds ?? 0) >= 1);
    });
    const count = await db.get<{ n: number }>(
      "SELECT count(*) AS n FROM users",
    );
    strictEqual(count?.n, 0);
  },
);
