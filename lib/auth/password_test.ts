import { deepStrictEqual, ok, strictEqual } from "node:assert/strict";
import { hash, hashSync } from "@node-rs/argon2";
import {
  COMMON_PASSWORD_ERROR,
  dummyVerify,
  hashPassword,
  needsRehash,
  validatePassword,
  verifyPassword,
} from "./password.ts";
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from "./limits.ts";

const PHC_PREFIX = "$argon2id$v=19$m=19456,t=2,p=1$";

Deno.test("hashPassword/verifyPassword round trip", async () => {
  const stored = await hashPassword("correct horse battery staple");
  strictEqual(
    await verifyPassword(stored, "correct horse battery staple"),
    true,
  );
  strictEqual(
    await verifyPassword(stored, "correct horse battery stapler"),
    false,
  );
  strictEqual(await verifyPassword(stored, ""), false);
});

Deno.test("hashPassword writes a salted argon2id PHC string with the current parameters", async () => {
  const a = await hashPassword("same password here");
  const b = await hashPassword("same password here");
  ok(a.startsWith(PHC_PREFIX), a);
  ok(b.startsWith(PHC_PREFIX), b);
  ok(a !== b, "two hashes of one password differ by salt");
  strictEqual(needsRehash(a), false);
});

Deno.test("needsRehash is true for other parameters, algorithms and unreadable strings", async () => {
  const weaker = await hash("some password", {
    timeCost: 1,
    memoryCost: 19456,
    parallelism: 1,
  });
  ok(weaker.startsWith("$argon2id$v=19$m=19456,t=1,p=1$"), weaker);
  strictEqual(needsRehash(weaker), true);
  // Still verifiable, so a sign-in can upgrade it.
  strictEqual(await verifyPassword(weaker, "some password"), true);

  const salt =
    "$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g";
  strictEqual(needsRehash(`$argon2id$v=19$m=19456,t=2,p=1${salt}`), false);
  for (
    const other of [
      `$argon2id$v=19$m=65536,t=2,p=1${salt}`,
      `$argon2id$v=19$m=19456,t=2,p=4${salt}`,
      `$argon2i$v=19$m=19456,t=2,p=1${salt}`,
      `$argon2d$v=19$m=19456,t=2,p=1${salt}`,
      `$argon2id$v=16$m=19456,t=2,p=1${salt}`,
      `$argon2id$m=19456,t=2,p=1${salt}`,
      `$argon2id$v=19$m=19456,t=2,p=1,keyid=abc${salt}`,
      `$argon2id$v=19$t=2,m=19456${salt}`,
      "$2b$10$abcdefghijklmnopqrstuuABCDEFGHIJKLMNOPQRSTUVWXYZ01234",
      "",
      "not a hash",
    ]
  ) {
    strictEqual(needsRehash(other), true, other);
  }
});

Deno.test("verifyPassword resolves false, never throws, for malformed hashes", async () => {
  const valid = await hashPassword("a fine password");
  for (
    const bad of [
      "",
      "not a hash",
      "$argon2id$",
      "$argon2id$v=19$m=19456,t=2,p=1$",
      "$argon2id$v=19$m=19456,t=2,p=1$!!!$###",
      valid.slice(0, -10),
      valid.replace("$argon2id$", "$argon2xx$"),
      "$2b$10$abcdefghijklmnopqrstuuABCDEFGHIJKLMNOPQRSTUVWXYZ01234",
      undefined as unknown as string,
    ]
  ) {
    strictEqual(
      await verifyPassword(bad, "a fine password"),
      false,
      String(bad),
    );
  }
});

Deno.test("validatePassword counts code points, bounds 8 to 128 inclusive", () => {
  strictEqual(MIN_PASSWORD_LENGTH, 8);
  strictEqual(MAX_PASSWORD_LENGTH, 128);
  const tooShort = {
    ok: false,
    error: "Password must be at least 8 characters",
  };
  const tooLong = {
    ok: false,
    error: "Password must be at most 128 characters",
  };

  deepStrictEqual(validatePassword("xk3!vq9"), tooShort);
  deepStrictEqual(validatePassword("xk3!vq9z"), { ok: true });
  deepStrictEqual(validatePassword("xk3!vq9z".repeat(16)), { ok: true });
  deepStrictEqual(validatePassword("xk3!vq9z".repeat(16) + "a"), tooLong);

  // "🦊" is one code point but two UTF-16 units: 7 of them are 14 units and
  // still too short; 128 of them are 256 units and still allowed.
  const fox = "🦊";
  strictEqual(fox.length, 2);
  deepStrictEqual(validatePassword(fox.repeat(7)), tooShort);
  deepStrictEqual(validatePassword(fox.repeat(8)), { ok: true });
  deepStrictEqual(validatePassword(fox.repeat(128)), { ok: true });
  deepStrictEqual(validatePassword(fox.repeat(129)), tooLong);
});

Deno.test("validatePassword counts after NFC normalisation", () => {
  // Seven "é" typed decomposed are 14 code points before NFC, 7 after.
  const decomposed = "e\u0301".repeat(7);
  strictEqual([...decomposed].length, 14);
  deepStrictEqual(validatePassword(decomposed), {
    ok: false,
    error: "Password must be at least 8 characters",
  });
  deepStrictEqual(validatePassword("e\u0301".repeat(8)), { ok: true });
});

Deno.test("validatePassword refuses non-strings", () => {
  for (const value of [undefined, null, 12345678, ["password"], {}]) {
    deepStrictEqual(validatePassword(value), {
      ok: false,
      error: "Enter a password",
    });
  }
});

Deno.test("validatePassword refuses common passwords, case-insensitively", () => {
  const refused = { ok: false, error: COMMON_PASSWORD_ERROR };
  for (
    const common of [
      "password123",
      "qwertyuiop",
      "QwertyUIOP",
      "PASSWORD123",
      "password",
      "iloveyou",
    ]
  ) {
    deepStrictEqual(validatePassword(common), refused, common);
  }
  strictEqual(
    COMMON_PASSWORD_ERROR,
    "This password is too common; choose one that is harder to guess",
  );
  // No composition rules: a long lower-case passphrase is fine.
  deepStrictEqual(validatePassword("purple otters juggle quietly"), {
    ok: true,
  });
});

Deno.test("composed and decomposed forms of a password verify the same", async () => {
  const composed: string = "caf\u00e9 au lait";
  const decomposed: string = "cafe\u0301 au lait";
  ok(composed !== decomposed);
  const fromComposed = await hashPassword(composed);
  const fromDecomposed = await hashPassword(decomposed);
  strictEqual(await verifyPassword(fromComposed, decomposed), true);
  strictEqual(await verifyPassword(fromDecomposed, composed), true);
  strictEqual(await verifyPassword(fromComposed, "cafe au lait"), false);
});

// Counts setTimeout(0) callbacks that run while `work` is pending.
async function timerTicksDuring(work: () => Promise<unknown>): Promise<number> {
  let done = false;
  let ticks = 0;
  const running = work().then(() => done = true);
  while (!done) {
    await new Promise((resolve) => setTimeout(resolve, 0));
    if (!done) ticks++;
  }
  await running;
  return ticks;
}

Deno.test("hashing does not block the event loop", async () => {
  const stored = await hashPassword("warm up the native addon");
  // Control: the synchronous hash holds the loop, so no timer gets in.
  strictEqual(
    await timerTicksDuring(() => Promise.resolve(hashSync("event loop check"))),
    0,
  );
  const ticks = await timerTicksDuring(() => hashPassword("event loop check"));
  ok(ticks >= 1, "no timer ran while hashPassword was in progress");
  const verifying = await timerTicksDuring(() =>
    verifyPassword(stored, "event loop check")
  );
  ok(verifying >= 1, "no timer ran while verifyPassword was in progress");
});

async function elapsed(fn: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

function median(values: number[]): number {
  const sorted = values.toSorted((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

Deno.test("dummyVerify costs about as much as a real verify", async () => {
  const stored = await hashPassword("a real user password");
  await dummyVerify(); // first call also makes the dummy hash
  const real: number[] = [];
  const dummy: number[] = [];
  for (let i = 0; i < 3; i++) {
    real.push(
      await elapsed(() => verifyPassword(stored, "a wrong guess here")),
    );
    dummy.push(await elapsed(() => dummyVerify()));
  }
  ok(
    median(dummy) > 0.3 * median(real),
    `dummyVerify ${median(dummy).toFixed(1)} ms vs verify ${
      median(real).toFixed(1)
    } ms`,
  );
});
