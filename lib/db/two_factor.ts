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

/** The two-factor columns of an account. */
export interface TwoFactorState {
  enabled: boolean;
  /** The sealed TOTP secret: on, or a setup not confirmed yet. */
  secretEncrypted: string | null;
}

/**
 * The account's two-factor state, read now (not from a cached user), or
 * null when there is no such account.
 *
 * @example
 * ```ts
 * import type { Queryable } from "./db.ts";
 * declare const db: Queryable;
 * const state = await getTwoFactor(db, "user-id");
 * if (state?.enabled) console.log("asks for a code");
 * ```
 */
export async function getTwoFactor(
  db: Queryable,
  userId: string,
): Promise<TwoFactorState | null> {
  const row = await db.get(
    "SELECT two_factor_enabled, totp_secret_encrypted FROM users WHERE id = ?",
    [userId],
  );
  if (row === undefined) return null;
  return {
    enabled: Number(row.two_factor_enabled) === 1,
    secretEncrypted: row.totp_secret_encrypted == null
      ? null
      : String(row.totp_secret_encrypted),
  };
}

/**
 * Stores the sealed secret of a setup about to be confirmed, replacing an
 * unfinished one; false (nothing written) when two-factor is on, so a
 * setup started in another tab cannot replace a working secret.
 *
 * @example
 * ```ts
 * import type { Queryable } from "./db.ts";
 * declare const db: Queryable;
 * declare const sealed: string; // secrets.seal(secret, userId)
 * const stored = await storeSetupSecret(db, "user-id", sealed, Date.now());
 * ```
 */
export async function storeSetupSecret(
  db: Queryable,
  userId: string,
  secretEncrypted: string,
  now: number,
): Promise<boolean> {
  const { changes } = await db.run(
    `UPDATE users SET totp_secret_encrypted = ?, totp_last_used_step = NULL,
       updated_at = ? WHERE id = ? AND two_factor_enabled = 0`,
    [secretEncrypted, now, userId],
  );
  return changes === 1;
}

/**
 * Turns two-factor on with the secret a code was just checked against,
 * claiming that code's step; false when two-factor is already on or the
 * stored secret is no longer `secretEncrypted` (a setup restarted
 * meanwhile). `resealed` replaces the stored text (the same secret under
 * the current key) when given.
 *
 * @example
 * ```ts
 * import type { Queryable } from "./db.ts";
 * declare const tx: Queryable;
 * declare const sealed: string;
 * const on = await enableTwoFactor(tx, "user-id", { secretEncrypted: sealed, step: 63_000_000 }, Date.now());
 * ```
 */
export async function enableTwoFactor(
  db: Queryable,
  userId: string,
  checked: { secretEncrypted: string; step: number; resealed?: string },
  now: number,
): Promise<boolean> {
  const { changes } = await db.run(
    `UPDATE users SET two_factor_enabled = 1, totp_last_used_step = ?,
       totp_secret_encrypted = ?, updated_at = ?
     WHERE id = ? AND two_factor_enabled = 0 AND totp_secret_encrypted = ?`,
    [
      checked.step,
      checked.resealed ?? checked.secretEncrypted,
      now,
      userId,
      checked.secretEncrypted,
    ],
  );
  return changes === 1;
}

/**
 * Replaces the stored secret text by the same secret sealed under the
 * current key, only if it is still `before` (two-factor turned off or set
 * up again meanwhile is left alone). The replay guard is kept.
 *
 * @example
 * ```ts
 * import type { Queryable } from "./db.ts";
 * declare const db: Queryable;
 * declare const before: string, after: string;
 * await resealTotpSecret(db, "user-id", before, after);
 * ```
 */
export async function resealTotpSecret(
  db: Queryable,
  userId: string,
  before: string,
  after: string,
): Promise<boolean> {
  const { changes } = await db.run(
    `UPDATE users SET totp_secret_encrypted = ?
     WHERE id = ? AND totp_secret_encrypted = ?`,
    [after, userId, before],
  );
  return changes === 1;
}

/**
 * Marks a session as having passed the second factor (the session list
 * shows it). Its cached copies must be dropped after the transaction
 * commits (`forgetSessions`), as for any change to a session row.
 *
 * @example
 * ```ts
 * import type { Queryable } from "./db.ts";
 * declare const tx: Queryable;
 * await markSessionTwoFactorVerified(tx, "session-id");
 * ```
 */
export async function markSessionTwoFactorVerified(
  db: Queryable,
  sessionId: string,
): Promise<boolean> {
  const { changes } = await db.run(
    "UPDATE sessions SET two_factor_verified = 1 WHERE id = ?",
    [sessionId],
  );
  return changes === 1;
}
