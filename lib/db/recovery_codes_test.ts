// `useRecoveryCode` is no React hook; its name says what it does to a code.
// deno-lint-ignore-file react-rules-of-hooks
import { deepStrictEqual, strictEqual } from "node:assert/strict";
import { newRecoveryCodes, recoveryCodeHash } from "../auth/recovery_codes.ts";
import { dbTest } from "./testing.ts";
import {
  countRecoveryCodesLeft,
  deleteRecoveryCodes,
  replaceRecoveryCodes,
  useRecoveryCode,
} from "./recovery_codes.ts";
import { createUser } from "./users.ts";
import type { Db } from "./db.ts";

async function userWithCodes(db: Db, name: string) {
  const user = await createUser(db, {
    email: `${name}@example.com`,
    username: name,
  });
  const codes = newRecoveryCodes();
  const hashes = codes.map((c) => recoveryCodeHash(user.id, c)!);
  await replaceRecoveryCodes(db, user.id, hashes, 1000);
  return { user, codes, hashes };
}

dbTest(
  "recovery codes: stored as given, each used once, counted",
  async (db) => {
    const { user, codes, hashes } = await userWithCodes(db, "ada");
    const rows = await db.all(
      "SELECT code_hash, used_at FROM recovery_codes WHERE user_id = ? ORDER BY id",
      [user.id],
    );
    deepStrictEqual(rows.map((r) => r.code_hash), hashes);
    for (const code of codes) {
      const text = JSON.stringify(await db.all("SELECT * FROM recovery_codes"));
      strictEqual(text.includes(code.replaceAll("-", "")), false);
      strictEqual(text.includes(code), false);
    }
    strictEqual(await countRecoveryCodesLeft(db, user.id), 10);
    strictEqual(await useRecoveryCode(db, user.id, hashes[3], 2000), true);
    strictEqual(await useRecoveryCode(db, user.id, hashes[3], 3000), false);
    strictEqual(await countRecoveryCodesLeft(db, user.id), 9);
    const used = await db.get(
      "SELECT used_at FROM recovery_codes WHERE code_hash = ?",
      [hashes[3]],
    );
    strictEqual(Number(used?.used_at), 2000);
    // Another account's code is not this account's.
    const other = await userWithCodes(db, "bob");
    strictEqual(
      await useRecoveryCode(db, user.id, other.hashes[0], 2000),
      false,
    );
    strictEqual(await countRecoveryCodesLeft(db, other.user.id), 10);
  },
);

dbTest(
  "recovery codes: of concurrent uses of one code, exactly one wins",
  async (db) => {
    const { user, hashes } = await userWithCodes(db, "ada");
    const results = await Promise.all(
      Array.from(
        { length: 8 },
        (_, i) => useRecoveryCode(db, user.id, hashes[0], 2000 + i),
      ),
    );
    strictEqual(results.filter(Boolean).length, 1);
    strictEqual(await countRecoveryCodesLeft(db, user.id), 9);
  },
);

dbTest(
  "recovery codes: a new set replaces the old one, used or not; delete removes all",
  async (db) => {
    const { user, hashes } = await userWithCodes(db, "ada");
    await useRecoveryCode(db, user.id, hashes[0], 2000);
    const next = newRecoveryCodes().map((c) => recoveryCodeHash(user.id, c)!);
    await replaceRecoveryCodes(db, user.id, next, 5000);
    strictEqual(await countRecoveryCodesLeft(db, user.id), 10);
    for (const old of hashes) {
      strictEqual(await useRecoveryCode(db, user.id, old, 6000), false);
    }
    strictEqual(await useRecoveryCode(db, user.id, next[9], 6000), true);
    // Inside a transaction that rolls back, the replacement is undone too.
    await db.transaction(async (tx) => {
      await replaceRecoveryCodes(tx, user.id, [], 7000);
      throw new Error("rollback");
    }).catch(() => {});
    strictEqual(await countRecoveryCodesLeft(db, user.id), 9);
    const other = await userWithCodes(db, "bob");
    await deleteRecoveryCodes(db, user.id);
    strictEqual(await countRecoveryCodesLeft(db, user.id), 0);
    strictEqual(
      Number(
        (await db.get<{ n: number }>(
          "SELECT count(*) AS n FROM recovery_codes WHERE user_id = ?",
          [user.id],
        ))?.n,
      ),
      0,
    );
    strictEqual(await countRecoveryCodesLeft(db, other.user.id), 10);
  },
);
