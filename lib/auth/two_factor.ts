/**
 * The account's two-factor actions, for the settings page and its JSON
 * API: start a setup, confirm it with a code, turn it off, make new
 * recovery codes, and the state to show.
 *
 * A setup stores a new secret, sealed, with two-factor still off; it is
 * turned on only by a code computed from that secret, which proves the
 * authenticator app holds it. Then ten recovery codes are made and shown
 * once (only their hashes are kept). The web layer asks for a recent
 * sign-in before turning it off or making new codes
 * (`lib/web/recent_auth.ts`); these functions do not.
 *
 * @module
 */
import { audit } from "../db/audit.ts";
import {
  countRecoveryCodesLeft,
  deleteRecoveryCodes,
} from "../db/recovery_codes.ts";
import { getTwoFactor, setTwoFactor } from "../db/two_factor.ts";
import type { User } from "../db/users.ts";
import { securityNotice } from "../email/notices.ts";
import {
  type AccountDeps,
  type AccountMeta,
  noticeDeps,
  nowOf,
} from "./account_deps.ts";
import { type Failure, failure } from "./outcome.ts";
import { newRecoveryCodes } from "./recovery_codes.ts";
import { storeRecoveryCodes, TWO_FACTOR_WORDS } from "./two_factor_setup.ts";

export {
  confirmTwoFactorSetup,
  pendingTwoFactorSetup,
  startTwoFactorSetup,
  TOTP_ISSUER,
  TWO_FACTOR_WORDS,
  type TwoFactorSetup,
} from "./two_factor_setup.ts";

/**
 * Turns two-factor off: clears the secret, the flag and every recovery
 * code, emails the owner and audits, in one transaction. (The web layer
 * asks for a recent sign-in first.)
 *
 * @example
 * ```ts
 * import type { AccountDeps, AccountMeta } from "./account_deps.ts";
 * import type { User } from "../db/users.ts";
 * declare const deps: AccountDeps;
 * declare const meta: AccountMeta;
 * declare const user: User;
 * const off = await disableTwoFactor(deps, user, meta);
 * ```
 */
export async function disableTwoFactor(
  deps: AccountDeps,
  user: User,
  meta: AccountMeta,
): Promise<{ ok: true } | Failure<"invalid">> {
  const now = nowOf(deps);
  const done = await deps.db.transaction(async (tx) => {
    const state = await getTwoFactor(tx, user.id);
    if (state === null || !state.enabled) {
      // An unfinished setup is dropped all the same; nothing to tell.
      if (state?.secretEncrypted) {
        await setTwoFactor(tx, user.id, {
          secretEncrypted: null,
          enabled: false,
        }, now);
      }
      return false;
    }
    await setTwoFactor(tx, user.id, {
      secretEncrypted: null,
      enabled: false,
    }, now);
    await deleteRecoveryCodes(tx, user.id);
    await audit(tx, {
      userId: user.id,
      event: "auth.two_factor_disabled",
      ip: meta.ip,
      userAgent: meta.userAgent,
    }, now);
    await securityNotice(tx, noticeDeps(deps), {
      kind: "two_factor_disabled",
      user,
      meta,
      at: now,
    });
    return true;
  });
  return done ? { ok: true } : failure("invalid", TWO_FACTOR_WORDS.alreadyOff);
}

/**
 * A new set of ten recovery codes (returned once); the old ones, used or
 * not, stop working. Audited. (The web layer asks for a recent sign-in
 * first.)
 *
 * @example
 * ```ts
 * import type { AccountDeps, AccountMeta } from "./account_deps.ts";
 * import type { User } from "../db/users.ts";
 * declare const deps: AccountDeps;
 * declare const meta: AccountMeta;
 * declare const user: User;
 * const fresh = await regenerateRecoveryCodes(deps, user, meta);
 * if (fresh.ok) console.log(fresh.recoveryCodes.length); // 10
 * ```
 */
export async function regenerateRecoveryCodes(
  deps: AccountDeps,
  user: User,
  meta: AccountMeta,
): Promise<{ ok: true; recoveryCodes: string[] } | Failure<"invalid">> {
  const now = nowOf(deps);
  const recoveryCodes = newRecoveryCodes();
  const done = await deps.db.transaction(async (tx) => {
    const state = await getTwoFactor(tx, user.id);
    if (!state?.enabled) return false;
    await storeRecoveryCodes(tx, user.id, recoveryCodes, now);
    await audit(tx, {
      userId: user.id,
      event: "auth.recovery_codes_regenerated",
      ip: meta.ip,
      userAgent: meta.userAgent,
    }, now);
    return true;
  });
  return done
    ? { ok: true, recoveryCodes }
    : failure("invalid", TWO_FACTOR_WORDS.notOn);
}

/**
 * What the settings page shows: whether two-factor is on, the recovery
 * codes left, and whether it can be used at all (a key is configured).
 *
 * @example
 * ```ts
 * import type { AccountDeps } from "./account_deps.ts";
 * import type { User } from "../db/users.ts";
 * declare const deps: AccountDeps;
 * declare const user: User;
 * const { enabled, recoveryCodesLeft, available } = await twoFactorStatus(deps, user);
 * ```
 */
export async function twoFactorStatus(
  deps: AccountDeps,
  user: User,
): Promise<
  { enabled: boolean; recoveryCodesLeft: number; available: boolean }
> {
  const state = await getTwoFactor(deps.db, user.id);
  const enabled = state?.enabled ?? false;
  return {
    enabled,
    recoveryCodesLeft: enabled
      ? await countRecoveryCodesLeft(deps.db, user.id)
      : 0,
    available: deps.secrets !== null,
  };
}
