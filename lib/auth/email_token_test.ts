import {
  deepStrictEqual,
  notStrictEqual,
  ok,
  strictEqual,
} from "node:assert/strict";
import { createHash } from "node:crypto";
import { dbTest } from "../db/testing.ts";
import { createUser } from "../db/users.ts";
import {
  consumeEmailToken,
  deleteEmailTokens,
  EMAIL_TOKEN_BYTES,
  EMAIL_TOKEN_LENGTH,
  emailTokenHash,
  generateEmailToken,
  hashEmailToken,
  isEmailTokenShape,
  issueEmailToken,
  newEmailToken,
  PASSWORD_RESET_TOKENS,
  VERIFY_EMAIL_TOKENS,
} from "./email_token.ts";

const HOUR = 3_600_000;

Deno.test("email tokens are 43 base64url characters of 32 random bytes, all different", () => {
  const seen = new Set<string>();
  for (let i = 0; i < 200; i++) {
    const token = generateEmailToken();
    strictEqual(token.length, EMAIL_TOKEN_LENGTH);
    ok(/^[A-Za-z0-9_-]{43}$/.test(token), token);
    ok(isEmailTokenShape(token));
    seen.add(token);
  }
  strictEqual(seen.size, 200);
  for (
    const bad of [
      "",
      "a".repeat(42),
      "a".repeat(44),
      "a".repeat(42) + "=",
      "a".repeat(42) + "+",
      "a".repeat(42) + "/",
      null,
      42,
      ["a".repeat(43)],
    ]
  ) ok(!isEmailTokenShape(bad), String(bad));
  strictEqual(hashEmailToken("x").length, 32);
  notStrictEqual(
    Array.from(hashEmailToken("a".repeat(43))).join(),
    Array.from(hashEmailToken("a".repeat(42) + "b")).join(),
  );
});

Deno.test("a new token is 256 random bits in base64url, stored as the SHA-256 of its text", () => {
  const { token, hash } = newEmailToken();
  strictEqual(EMAIL_TOKEN_BYTES * 8, 256);
  ok(/^[A-Za-z0-9_-]{43}$/.test(token), token);
  deepStrictEqual(
    hash,
    new Uint8Array(createHash("sha256").update(token).digest()),
  );
  deepStrictEqual(emailTokenHash(token), hash);
  const seen = new Set<string>();
  for (let i = 0; i < 1000; i++) seen.add(newEmailToken().token);
  strictEqual(seen.size, 1000);
});

Deno.test("a value that cannot be a token has no hash (refused before any query)", () => {
  const { token } = newEmailToken();
  for (
    const bad of [
      undefined,
      null,
      42,
      "",
      token.slice(1),
      token + "A",
      token.slice(1) + "=",
      token.slice(1) + "+",
      token.slice(1) + "/",
      token.slice(0, 42) + "é",
      " " + token.slice(1),
    ]
  ) {
    strictEqual(emailTokenHash(bad), null, String(bad));
  }
});

dbTest(
  "an email token is stored only as its SHA-256, used once, and refused when expired, tampered or another account's",
  async (db) => {
    const ada = await createUser(db, {
      email: "ada@example.com",
      username: "ada",
    });
    const bob = await createUser(db, {
      email: "bob@example.com",
      username: "bob",
    });
    const t0 = 1_700_000_000_000;
    const token = await issueEmailToken(
      db,
      VERIFY_EMAIL_TOKENS,
      {
        userId: ada.id,
        email: ada.email,
      },
      24 * HOUR,
      t0,
    );

    const rows = await db.all("SELECT * FROM email_verification_tokens");
    strictEqual(rows.length, 1);
    const stored = new Uint8Array(rows[0].token_hash as Uint8Array);
    deepStrictEqual(Array.from(stored), Array.from(hashEmailToken(token)));
    ok(
      !JSON.stringify(rows, (_k, v) => typeof v === "bigint" ? String(v) : v)
        .includes(token),
      "the token itself is not stored",
    );
    strictEqual(Number(rows[0].expires_at), t0 + 24 * HOUR);

    // Tampered: one character changed (and the spare bits of the last one).
    const last = token.at(-1)!;
    for (
      const changed of [
        (token[0] === "A" ? "B" : "A") + token.slice(1),
        token.slice(0, -1) + (last === "A" ? "B" : "A"),
        token + "A",
        token.slice(0, -1),
      ]
    ) {
      deepStrictEqual(
        await consumeEmailToken(db, VERIFY_EMAIL_TOKENS, changed, { now: t0 }),
        { ok: false, reason: "unknown" },
        changed,
      );
    }
    // Another account may not use it; it is left in place.
    deepStrictEqual(
      await consumeEmailToken(db, VERIFY_EMAIL_TOKENS, token, {
        userId: bob.id,
        now: t0,
      }),
      { ok: false, reason: "other_account" },
    );
    // Expired at exactly 24 hours; left in place.
    deepStrictEqual(
      await consumeEmailToken(db, VERIFY_EMAIL_TOKENS, token, {
        now: t0 + 24 * HOUR,
      }),
      { ok: false, reason: "expired" },
    );
    strictEqual(
      (await db.all("SELECT 1 FROM email_verification_tokens")).length,
      1,
      "refusals write nothing",
    );
    // A second before: used, by its owner.
    deepStrictEqual(
      await consumeEmailToken(db, VERIFY_EMAIL_TOKENS, token, {
        userId: ada.id,
        now: t0 + 24 * HOUR - 1000,
      }),
      { ok: true, userId: ada.id, email: ada.email, createdAt: t0 },
    );
    // Used once: then unknown.
    deepStrictEqual(
      await consumeEmailToken(db, VERIFY_EMAIL_TOKENS, token, { now: t0 }),
      { ok: false, reason: "unknown" },
    );
    strictEqual(
      (await db.all("SELECT 1 FROM email_verification_tokens")).length,
      0,
    );
  },
);

dbTest(
  "a token used inside a transaction that fails is usable again; two uses at once succeed once",
  async (db) => {
    const ada = await createUser(db, {
      email: "ada@example.com",
      username: "ada",
    });
    const token = await issueEmailToken(db, PASSWORD_RESET_TOKENS, {
      userId: ada.id,
    }, HOUR);
    await db.transaction(async (tx) => {
      const used = await consumeEmailToken(tx, PASSWORD_RESET_TOKENS, token);
      ok(used.ok);
      strictEqual(used.email, null, "reset tokens bind no address");
      throw new Error("the change failed");
    }).catch((err) => strictEqual(err.message, "the change failed"));

    const outcomes = await Promise.all(
      [1, 2, 3].map(() =>
        db.transaction((tx) =>
          consumeEmailToken(tx, PASSWORD_RESET_TOKENS, token)
        )
      ),
    );
    strictEqual(
      outcomes.filter((o) => o.ok).length,
      1,
      JSON.stringify(outcomes),
    );
    ok(outcomes.every((o) => o.ok || o.reason === "unknown"));
  },
);

dbTest(
  "deleteEmailTokens removes one user's tokens of one kind",
  async (db) => {
    const ada = await createUser(db, {
      email: "ada@example.com",
      username: "ada",
    });
    const bob = await createUser(db, {
      email: "bob@example.com",
      username: "bob",
    });
    const a1 = await issueEmailToken(db, VERIFY_EMAIL_TOKENS, {
      userId: ada.id,
      email: ada.email,
    }, HOUR);
    await issueEmailToken(db, VERIFY_EMAIL_TOKENS, {
      userId: ada.id,
      email: ada.email,
    }, HOUR);
    const b1 = await issueEmailToken(db, VERIFY_EMAIL_TOKENS, {
      userId: bob.id,
      email: bob.email,
    }, HOUR);
    const reset = await issueEmailToken(db, PASSWORD_RESET_TOKENS, {
      userId: ada.id,
    }, HOUR);
    strictEqual(await deleteEmailTokens(db, VERIFY_EMAIL_TOKENS, ada.id), 2);
    strictEqual(
      (await consumeEmailToken(db, VERIFY_EMAIL_TOKENS, a1)).ok,
      false,
    );
    ok((await consumeEmailToken(db, VERIFY_EMAIL_TOKENS, b1)).ok);
    ok((await consumeEmailToken(db, PASSWORD_RESET_TOKENS, reset)).ok);
  },
);

Deno.test("a bound store refuses to issue a token without an address", async () => {
  const db = {} as never;
  let thrown: unknown;
  await issueEmailToken(db, VERIFY_EMAIL_TOKENS, { userId: "u" }, HOUR).catch(
    (err) => thrown = err,
  );
  ok(thrown instanceof TypeError);
});
