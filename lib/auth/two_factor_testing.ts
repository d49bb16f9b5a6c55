/**
 * Test helpers for two-factor: the secret read back as the app reads it
 * (the sealed column, opened with the app's own box), so tests compute
 * codes from what is stored and never hard-code one, and a one-call way
 * to turn two-factor on for a test account. They take `{ db, secrets }`,
 * which both `AccountDeps` and the app's `Services` have.
 *
 * @module
 */
import type { Queryable } from "../db/db.ts";
import { getTotpSecretEncrypted } from "../db/two_factor.ts";
import type { User } from "../db/users.ts";
import type { SecretBox } from "../security/encryption.ts";
import type { AccountDeps, AccountMeta } from "./account_deps.ts";
import { totpCodeAt, totpStep } from "./totp.ts";
import { confirmTwoFactorSetup, startTwoFactorSetup } from "./two_factor.ts";

/** Where the secret is stored and the box that opens it. */
export interface SecretStore {
  db: Queryable;
  secrets: SecretBox | null;
}

/**
 * The account's TOTP secret: the stored sealed text, opened with the
 * app's box. Throws when there is none or it does not open.
 *
 * @example
 * ```ts
 * declare const deps: SecretStore;
 * const secret = await storedTotpSecret(deps, "user-id");
 * ```
 */
export async function storedTotpSecret(
  deps: SecretStore,
  userId: string,
): Promise<Uint8Array> {
  const sealed = await getTotpSecretEncrypted(deps.db, userId);
  if (sealed === null) throw new Error("no TOTP secret stored");
  const opened = await deps.secrets?.open(sealed, userId);
  if (!opened) throw new Error("the stored TOTP secret does not open");
  return opened.plain;
}

/**
 * The code of the account's stored secret at `now` (plus `drift` steps).
 *
 * @example
 * ```ts
 * declare const deps: SecretStore;
 * const code = await codeFor(deps, "user-id", Date.now());
 * ```
 */
export async function codeFor(
  deps: SecretStore,
  userId: string,
  now: number,
  drift = 0,
): Promise<string> {
  const secret = await storedTotpSecret(deps, userId);
  return totpCodeAt(secret, totpStep(now) + drift);
}

/**
 * Turns two-factor on for `user` through the real actions (setup, then a
 * code from the stored secret), confirming in `sessionId`; returns the
 * recovery codes. The current time step is then used: the next code that
 * can be accepted is the next step's (move the clock 30 s on).
 *
 * @example
 * ```ts
 * import type { AccountDeps, AccountMeta } from "./account_deps.ts";
 * import type { User } from "../db/users.ts";
 * declare const deps: AccountDeps;
 * declare const meta: AccountMeta;
 * declare const user: User;
 * const codes = await turnOnTwoFactor(deps, user, "session-id", meta);
 * ```
 */
export async function turnOnTwoFactor(
  deps: AccountDeps,
  user: User,
  sessionId: string,
  meta: AccountMeta,
): Promise<string[]> {
  const started = await startTwoFactorSetup(deps, user);
  if (!started.ok) throw new Error(`setup refused: ${started.error}`);
  const now = deps.now?.() ?? Date.now();
  const code = await codeFor(deps, user.id, now);
  const on = await confirmTwoFactorSetup(deps, user, sessionId, code, meta);
  if (!on.ok) throw new Error(`confirmation refused: ${on.error}`);
  return on.recoveryCodes;
}
