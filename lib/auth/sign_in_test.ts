import { notStrictEqual, ok, strictEqual } from "node:assert/strict";
import { hash } from "@node-rs/argon2";
import { dbTest } from "../db/testing.ts";
import { createUser, getPasswordHash } from "../db/users.ts";
import { hashPassword, needsRehash, verifyPassword } from "./password.ts";
import { signIn, type SignInLimiter } from "./sign_in.ts";

const meta = { ip: "203.0.113.1", userAgent: "test" };
const limiter: SignInLimiter = {
  blockedFor: () => Promise.resolve(0),
  succeeded: () => Promise.resolve(),
};
const PASSWORD = "Tulip orbit 7391 quartz!";

dbTest(
  "signIn rehashes a password made with older parameters, and only then",
  async (db) => {
    // A hash from "before": argon2id with one pass and less memory.
    const old = await hash(PASSWORD, {
      algorithm: 2,
      memoryCost: 8192,
      timeCost: 1,
      parallelism: 1,
    });
    ok(needsRehash(old), "the old hash is out of date");
    const user = await createUser(db, {
      email: "old@example.com",
      username: "old",
      passwordHash: old,
    });

    // A wrong password changes nothing.
    const wrong = await signIn(
      db,
      limiter,
      { email: "old@example.com", password: "not the password" },
      meta,
    );
    strictEqual(wrong.ok, false);
    strictEqual(await getPasswordHash(db, user.id), old);

    const result = await signIn(
      db,
      limiter,
      { email: "old@example.com", password: PASSWORD },
      meta,
    );
    ok(result.ok);
    const upgraded = (await getPasswordHash(db, user.id))!;
    notStrictEqual(upgraded, old, "the hash was replaced");
    strictEqual(needsRehash(upgraded), false, upgraded);
    ok(await verifyPassword(upgraded, PASSWORD), "and still verifies");

    // A current hash is left as it is.
    const again = await signIn(
      db,
      limiter,
      { email: "old@example.com", password: PASSWORD },
      meta,
    );
    ok(again.ok);
    strictEqual(await getPasswordHash(db, user.id), upgraded);

    const current = await createUser(db, {
      email: "new@example.com",
      username: "new",
      passwordHash: await hashPassword(PASSWORD),
    });
    const before = await getPasswordHash(db, current.id);
    ok(
      (await signIn(
        db,
        limiter,
        { email: "new@example.com", password: PASSWORD },
        meta,
      )).ok,
    );
    strictEqual(await getPasswordHash(db, current.id), before);
  },
);
