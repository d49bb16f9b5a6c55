/**
 * Turning two-factor on: a new secret, stored sealed with two-factor still
 * off and shown as a QR code and as text, then a code computed from it,
 * which proves the authenticator app holds it, turns two-factor on and
 * makes the recovery codes. `lib/auth/two_factor.ts` exports these with
 * the account's other two-factor actions.
 *
 * @module
 */
import { audit } from "../db/audit.ts";
import type { Queryable } from "../db/db.ts";
import { replaceRecoveryCodes } from "../db/recovery_codes.ts";
import {
  enableTwoFactor,
  getTwoFactor,
  markSessionTwoFactorVerified,
  storeSetupSecret,
} from "../db/two_factor.ts";
import type { User } from "../db/users.ts";
import { securityNotice } from "../email/notices.ts";
import {
  ACCOUNT_LIMITS,
  type AccountDeps,
  type AccountMeta,
  noticeDeps,
  nowOf,
} from "./account_deps.ts";
import { type Failure, failure } from "./outcome.ts";
import { newRecoveryCodes, recoveryCodeHash } from "./recovery_codes.ts";
import { SECOND_FACTOR_WORDS } from "./second_factor.ts";
import { forgetSessions } from "./session.ts";
import { matchTotp, newTotpSecret, totpKeyText, totpUri } from "./totp.ts";
import { totpQrSvg } from "./totp_qr.ts";

/** The issuer authenticator apps show beside the account. */
export const TOTP_ISSUER = "Islet";

/** What the setup page shows: the key as text, its URI, and its QR code. */
export interface TwoFactorSetup {
  /** The secret in base32, in groups of 4, to type into the app. */
  keyText: string;
  /** `otpauth://totp/…`: what the QR code carries. */
  uri: string;
  /** Inline SVG (npm uqr): no style attributes, role="img" with a label. */
  qrSvg: string;
}

/** Messages of these actions. */
export const TWO_FACTOR_WORDS = {
  unavailable:
    "Two-factor sign-in is unavailable on this server until its operator sets ENCRYPTION_KEY",
  alreadyOn: "Two-factor sign-in is already on",
  alreadyOff: "Two-factor sign-in is already off",
  noSetup: "There is no setup waiting for a code; start again to get a new key",
  wrongSetupCode:
    "That code does not match. Check that the app has the key shown here and that your phone's clock is right, then enter the current code",
  notOn: "Turn on two-factor sign-in first",
} as const;

/**
 * Stores a new secret (sealed) with two-factor still off, replacing an
 * unfinished setup; `taken` when two-factor is already on, `invalid` when
 * no key is configured.
 *
 * @example
 * ```ts
 * import type { AccountDeps } from "./account_deps.ts";
 * import type { User } from "../db/users.ts";
 * declare const deps: AccountDeps;
 * declare const user: User;
 * const started = await startTwoFactorSetup(deps, user);
 * if (started.ok) console.log(started.setup.keyText);
 * ```
 */
export async function startTwoFactorSetup(
  deps: AccountDeps,
  user: User,
): Promise<{ ok: true; setup: TwoFactorSetup } | Failure<"taken" | "invalid">> {
  if (deps.secrets === null) {
    return failure("invalid", TWO_FACTOR_WORDS.unavailable);
  }
  const secret = newTotpSecret();
  const sealed = await deps.secrets.seal(secret, user.id);
  if (!(await storeSetupSecret(deps.db, user.id, sealed, nowOf(deps)))) {
    return failure("taken", TWO_FACTOR_WORDS.alreadyOn);
  }
  return { ok: true, setup: setupOf(secret, user) };
}

/**
 * The setup waiting for its code, shown again (after a wrong code, or a
 * reload of the page), or null when there is none (two-factor on, or no
 * setup started, or no key to read it).
 *
 * @example
 * ```ts
 * import type { AccountDeps } from "./account_deps.ts";
 * import type { User } from "../db/users.ts";
 * declare const deps: AccountDeps;
 * declare const user: User;
 * const setup = await pendingTwoFactorSetup(deps, user);
 * ```
 */
export async function pendingTwoFactorSetup(
  deps: AccountDeps,
  user: User,
): Promise<TwoFactorSetup | null> {
  const state = await getTwoFactor(deps.db, user.id);
  if (
    deps.secrets === null || state === null || state.enabled ||
    state.secretEncrypted === null
  ) {
    return null;
  }
  const opened = await deps.secrets.open(state.secretEncrypted, user.id);
  return opened === null ? null : setupOf(opened.plain, user);
}

function setupOf(secret: Uint8Array, user: User): TwoFactorSetup {
  const uri = totpUri(secret, { issuer: TOTP_ISSUER, account: user.email });
  return { keyText: totpKeyText(secret), uri, qrSvg: totpQrSvg(uri) };
}

/**
 * Turns two-factor on when `code` is the current code of the stored setup
 * secret: claims its step, makes ten recovery codes (returned once, only
 * their hashes kept), marks `sessionId` as having passed the second
 * factor, emails the owner and audits, in one transaction. Wrong codes
 * count against the account's second-factor limit.
 *
 * @example
 * ```ts
 * import type { AccountDeps, AccountMeta } from "./account_deps.ts";
 * import type { User } from "../db/users.ts";
 * declare const deps: AccountDeps;
 * declare const meta: AccountMeta;
 * declare const user: User;
 * const on = await confirmTwoFactorSetup(deps, user, "session-id", "123456", meta);
 * if (on.ok) console.log(on.recoveryCodes.join("\n"));
 * ```
 */
export async function confirmTwoFactorSetup(
  deps: AccountDeps,
  user: User,
  sessionId: string,
  code: string,
  meta: AccountMeta,
): Promise<
  | { ok: true; recoveryCodes: string[] }
  | Failure<"invalid" | "rate_limited" | "taken">
> {
  if (deps.secrets === null) {
    return failure("invalid", TWO_FACTOR_WORDS.unavailable);
  }
  const typed = typeof code === "string" ? code.trim() : "";
  if (!/^[0-9]{6}$/.test(typed.replace(/[ \t]/g, ""))) {
    return failure("invalid", SECOND_FACTOR_WORDS.enterCode, {
      details: { code: SECOND_FACTOR_WORDS.enterCode },
    });
  }
  const state = await getTwoFactor(deps.db, user.id);
  if (state?.enabled) return failure("taken", TWO_FACTOR_WORDS.alreadyOn);
  if (state === null || state.secretEncrypted === null) {
    return failure("invalid", TWO_FACTOR_WORDS.noSetup);
  }
  const wait = await deps.limiter.hit(ACCOUNT_LIMITS.secondFactor, user.id);
  if (wait > 0) {
    return failure(
      "rate_limited",
      `Too many wrong codes; try again in ${wait} seconds`,
      { retryAfterSeconds: wait, by: "account" },
    );
  }
  const opened = await deps.secrets.open(state.secretEncrypted, user.id);
  if (opened === null) return failure("invalid", TWO_FACTOR_WORDS.noSetup);
  const now = nowOf(deps);
  const step = matchTotp(opened.plain, typed, now);
  if (step === null) {
    return failure("invalid", TWO_FACTOR_WORDS.wrongSetupCode, {
      details: { code: TWO_FACTOR_WORDS.wrongSetupCode },
    });
  }
  const resealed = opened.stale
    ? await deps.secrets.seal(opened.plain, user.id)
    : undefined;
  const recoveryCodes = newRecoveryCodes();
  const on = await deps.db.transaction(async (tx) => {
    const enabled = await enableTwoFactor(tx, user.id, {
      secretEncrypted: state.secretEncrypted!,
      step,
      resealed,
    }, now);
    // On meanwhile, or the setup was started again with a new key.
    if (!enabled) return false;
    await storeRecoveryCodes(tx, user.id, recoveryCodes, now);
    await markSessionTwoFactorVerified(tx, sessionId);
    await audit(tx, {
      userId: user.id,
      event: "auth.two_factor_enabled",
      ip: meta.ip,
      userAgent: meta.userAgent,
    }, now);
    await securityNotice(tx, noticeDeps(deps), {
      kind: "two_factor_enabled",
      user,
      meta,
      at: now,
      extra: [
        "Ten recovery codes were shown once when it was turned on. Each works once in place of a code from the app: keep them somewhere safe.",
      ],
    });
    return true;
  });
  if (!on) {
    const current = await getTwoFactor(deps.db, user.id);
    return current?.enabled
      ? failure("taken", TWO_FACTOR_WORDS.alreadyOn)
      : failure("invalid", TWO_FACTOR_WORDS.noSetup);
  }
  // The session row changed: cached copies are read again.
  await forgetSessions(deps.sessions, [sessionId]);
  await deps.limiter.clear(ACCOUNT_LIMITS.secondFactor, user.id);
  return { ok: true, recoveryCodes };
}

/**
 * Replaces the account's recovery codes by `codes` (their hashes), in
 * `tx`.
 *
 * @example
 * ```ts
 * import type { Queryable } from "../db/db.ts";
 * import { newRecoveryCodes } from "./recovery_codes.ts";
 * declare const tx: Queryable;
 * await storeRecoveryCodes(tx, "user-id", newRecoveryCodes(), Date.now());
 * ```
 */
export function storeRecoveryCodes(
  tx: Queryable,
  userId: string,
  codes: string[],
  now: number,
): Promise<void> {
  const hashes = codes.map((code) => recoveryCodeHash(userId, code)!);
  return replaceRecoveryCodes(tx, userId, hashes, now);
}
