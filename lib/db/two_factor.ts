/**
 * Two-factor state of a user: the encrypted TOTP secret, the enabled flag
 * and the replay guard (last accepted time step).
 *
 * @module
 */
import type { Queryable } from "./db.ts";

/**
 * Stores (or clears) the encrypted TOTP secret and the two-factor flag;
 * resets the replay guard.
 *
 * @example
 * ```ts
 * import type { Queryable } from "./db.ts";
 * declare const db: Queryable;
 * declare const userId: string;
 * declare const secretEncrypted: string; // the TOTP secret, encrypted at rest
 * await setTwoFactor(db, userId, { secretEncrypted, enabled: true });
 * await setTwoFactor(db, userId, { secretEncrypted: null, enabled: false });
 * ```
 */
export async function setTwoFactor(
  db: Queryable,
  userId: string,
  state: { secretEncrypted: string | null; enabled: boolean },
  now: number = Date.now(),
): Promise<void> {
  await db.run(
    `UPDATE users SET totp_secret_encrypted = ?, two_factor_enabled = ?,
       totp_last_used_step = NULL, updated_at = ? WHERE id = ?`,
    [state.secretEncrypted, state.enabled ? 1 : 0, now, userId],
  );
}

/**
 * The encrypted TOTP secret, or null.
 *
 * @example
 * ```ts
 * import type { Queryable } from "./db.ts";
 * declare const db: Queryable;
 * declare const userId: string;
 * const encrypted = await getTotpSecretEncrypted(db, userId);
 * ```
 */
export async function getTotpSecretEncrypted(
  db: Queryable,
  userId: string,
): Promise<string | null> {
  const row = await db.get(
    "SELECT totp_secret_encrypted FROM users WHERE id = ?",
    [userId],
  );
  return row?.totp_secret_encrypted == null
    ? null
    : String(row.totp_secret_encrypted);
}

/**
 * Records that the TOTP code of time step `step` was accepted. Returns
 * false when this step or a later one was already used: the code is a
 * replay. Atomic (one conditional UPDATE), so two concurrent requests with
 * the same code cannot both succeed.
 *
 * @example
 * ```ts
 * import type { Queryable } from "./db.ts";
 * declare const db: Queryable;
 * declare const userId: string;
 * const matchedStep = Math.floor(Date.now() / 30_000); // the step the code matched
 * const fresh = await claimTotpStep(db, userId, matchedStep); // false: code already used
 * ```
 */
export async function claimTotpStep(
  db: Queryable,
  userId: string,
  step: number,
): Promise<boolean> {
  const { changes } = await db.run(
    `UPDATE users SET totp_last_used_step = ?1
     WHERE id = ?2 AND (totp_last_used_step IS NULL OR totp_last_used_step < ?1)`,
    [step, userId],
  );
  return changes === 1;
}

/**
 * How many accounts have two-factor on or a secret stored (a setup not
 * finished yet): what start-up checks before running without a key.
 *
 * @example
 * ```ts
 * import type { Queryable } from "./db.ts";
 * declare const db: Queryable;
 * const n = await countTwoFactorAccounts(db); // 0 on a new install
 * ```
 */
export async function countTwoFactorAccounts(db: Queryable): Promise<number> {
  const row = await db.get<{ n: number }>(
    `SELECT count(*) AS n FROM users
     WHERE two_factor_enabled = 1 OR totp_secret_encrypted IS NOT NULL`,
  );
  return Number(row?.n ?? 0);
}
