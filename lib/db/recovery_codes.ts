/**
 * The stored recovery codes of an account: hashes only
 * (`lib/auth/recovery_codes.ts` makes and hashes them), each used at most
 * once. A used code keeps its row with `used_at` set until the set is
 * replaced or two-factor is turned off, so the count left is simple.
 *
 * @module
 */
import type { Queryable } from "./db.ts";

/**
 * Replaces the account's codes with `hashes`, in one transaction (a
 * savepoint inside the caller's): the old set, used or not, is gone.
 *
 * @example
 * ```ts
 * import type { Queryable } from "./db.ts";
 * import { newRecoveryCodes, recoveryCodeHash } from "../auth/recovery_codes.ts";
 * declare const tx: Queryable;
 * const codes = newRecoveryCodes();
 * await replaceRecoveryCodes(tx, "user-id", codes.map((c) => recoveryCodeHash("user-id", c)!), Date.now());
 * ```
 */
export async function replaceRecoveryCodes(
  db: Queryable,
  userId: string,
  hashes: string[],
  now: number,
): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.run("DELETE FROM recovery_codes WHERE user_id = ?", [userId]);
    for (const hash of hashes) {
      await tx.run(
        "INSERT INTO recovery_codes (user_id, code_hash, created_at) VALUES (?, ?, ?)",
        [userId, hash, now],
      );
    }
  });
}

/**
 * Marks the account's unused code with `hash` used; true when this call
 * did. One conditional UPDATE: of two concurrent uses of one code, exactly
 * one succeeds.
 *
 * @example
 * ```ts
 * import type { Queryable } from "./db.ts";
 * declare const db: Queryable;
 * declare const hash: string; // recoveryCodeHash(userId, typed)
 * const used = await useRecoveryCode(db, "user-id", hash, Date.now());
 * ```
 */
export async function useRecoveryCode(
  db: Queryable,
  userId: string,
  hash: string,
  now: number,
): Promise<boolean> {
  const { changes } = await db.run(
    `UPDATE recovery_codes SET used_at = ?
     WHERE user_id = ? AND code_hash = ? AND used_at IS NULL`,
    [now, userId, hash],
  );
  return changes === 1;
}

/**
 * How many of the account's codes are still unused.
 *
 * @example
 * ```ts
 * import type { Queryable } from "./db.ts";
 * declare const db: Queryable;
 * const left = await countRecoveryCodesLeft(db, "user-id");
 * ```
 */
export async function countRecoveryCodesLeft(
  db: Queryable,
  userId: string,
): Promise<number> {
  const row = await db.get<{ n: number }>(
    "SELECT count(*) AS n FROM recovery_codes WHERE user_id = ? AND used_at IS NULL",
    [userId],
  );
  return Number(row?.n ?? 0);
}

/**
 * Deletes every code of the account (two-factor turned off).
 *
 * @example
 * ```ts
 * import type { Queryable } from "./db.ts";
 * declare const db: Queryable;
 * await deleteRecoveryCodes(db, "user-id");
 * ```
 */
export async function deleteRecoveryCodes(
  db: Queryable,
  userId: string,
): Promise<void> {
  await db.run("DELETE FROM recovery_codes WHERE user_id = ?", [userId]);
}
