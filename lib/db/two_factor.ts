/**
 * Two-factor state of a user: the encrypted TOTP secret, the enabled flag
 * and the replay guard (last accepted time step).
 *
 * @module
 */
import type { Db } from "./connection.ts";

/**
 * Stores (or clears) the encrypted TOTP secret and the two-factor flag;
 * resets the replay guard.
 *
 * @example
 * ```ts
 * import type { Db } from "./connection.ts";
 * declare const db: Db;
 * declare const userId: string;
 * declare const secretEncrypted: string; // the TOTP secret, encrypted at rest
 * setTwoFactor(db, userId, { secretEncrypted, enabled: true });
 * setTwoFactor(db, userId, { secretEncrypted: null, enabled: false });
 * ```
 */
export function setTwoFactor(
  db: Db,
  userId: string,
  state: { secretEncrypted: string | null; enabled: boolean },
  now: number = Date.now(),
): void {
  db.prepare(
    `UPDATE users SET totp_secret_encrypted = ?, two_factor_enabled = ?,
       totp_last_used_step = NULL, updated_at = ? WHERE id = ?`,
  ).run(state.secretEncrypted, state.enabled ? 1 : 0, now, userId);
}

/**
 * The encrypted TOTP secret, or null.
 *
 * @example
 * ```ts
 * import type { Db } from "./connection.ts";
 * declare const db: Db;
 * declare const userId: string;
 * const encrypted = getTotpSecretEncrypted(db, userId);
 * ```
 */
export function getTotpSecretEncrypted(db: Db, userId: string): string | null {
  const row = db.prepare("SELECT totp_secret_encrypted FROM users WHERE id = ?")
    .get(userId);
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
 * import type { Db } from "./connection.ts";
 * declare const db: Db;
 * declare const userId: string;
 * const matchedStep = Math.floor(Date.now() / 30_000); // the step the code matched
 * const fresh = claimTotpStep(db, userId, matchedStep); // false: code already used
 * ```
 */
export function claimTotpStep(db: Db, userId: string, step: number): boolean {
  const { changes } = db.prepare(
    `UPDATE users SET totp_last_used_step = ?
     WHERE id = ? AND (totp_last_used_step IS NULL OR totp_last_used_step < ?)`,
  ).run(step, userId, step);
  return Number(changes) === 1;
}
