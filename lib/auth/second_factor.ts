/**
 * The one check of a second factor, for every place that asks for it (the
 * sign-in code page and the confirm-access page): a code from the
 * authenticator app, or a recovery code.
 *
 * - Counted per account up front (5 per 15 minutes,
 *   `ACCOUNT_LIMITS.secondFactor`) and cleared on success, so guesses
 *   spread over many networks or sessions share one budget.
 * - An authenticator code is accepted once: its time step is claimed in
 *   the database in one conditional UPDATE (`claimTotpStep`), so a replay
 *   fails, also when two requests race on two instances.
 * - A recovery code is used in one conditional UPDATE too; the owner is
 *   emailed (with how many are left) and it is audited, in the same
 *   transaction.
 * - A secret sealed under an old key is sealed again under the current
 *   one once it has served.
 * - Fails closed: no key configured, two-factor off, or a secret that
 *   does not open, and no code is accepted.
 *
 * @module
 */
import { audit } from "../db/audit.ts";
import {
  countRecoveryCodesLeft,
  useRecoveryCode,
} from "../db/recovery_codes.ts";
import {
  claimTotpStep,
  getTwoFactor,
  resealTotpSecret,
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
import { recoveryCodeHash } from "./recovery_codes.ts";
import { matchTotp } from "./totp.ts";

/** Outcome of {@linkcode checkSecondFactor}. */
export type SecondFactorResult =
  | { ok: true; method: "totp" | "recovery_code"; recoveryCodesLeft: number }
  | Failure<"invalid" | "rate_limited">;

/** When this few recovery codes are left, the email says to make new ones. */
export const FEW_RECOVERY_CODES = 3;

/** Field messages, shared with the pages that ask. */
export const SECOND_FACTOR_WORDS = {
  enterCode: "Enter the 6-digit code from your authenticator app",
  wrongCode:
    "That code is not right, or was already used. Enter the current code from your authenticator app",
  malformedRecovery:
    "A recovery code has 12 letters and digits, like 7k2m-q9dx-0hvc",
  wrongRecovery: "That recovery code is not right, or was already used",
  unavailable: "Two-factor sign-in is not on for this account",
  unreadable:
    "Authenticator codes cannot be checked right now; use one of your recovery codes",
} as const;

/**
 * Checks `input.code` (the 6 digits, spaces allowed) or, when given,
 * `input.recoveryCode` for `user`.
 *
 * @example
 * ```ts
 * import type { AccountDeps, AccountMeta } from "./account_deps.ts";
 * import type { User } from "../db/users.ts";
 * declare const deps: AccountDeps;
 * declare const meta: AccountMeta;
 * declare const user: User;
 * const result = await checkSecondFactor(deps, user, { code: "123 456" }, meta);
 * if (result.ok) console.log(result.method, result.recoveryCodesLeft);
 * ```
 */
export async function checkSecondFactor(
  deps: AccountDeps,
  user: User,
  input: { code?: string; recoveryCode?: string },
  meta: AccountMeta,
): Promise<SecondFactorResult> {
  const recoveryTyped = text(input.recoveryCode);
  const codeTyped = text(input.code);
  const useRecovery = recoveryTyped !== "";
  let recoveryHash: string | null = null;
  if (useRecovery) {
    recoveryHash = recoveryCodeHash(user.id, recoveryTyped);
    if (recoveryHash === null) {
      return refuse("recoveryCode", SECOND_FACTOR_WORDS.malformedRecovery);
    }
  } else if (!/^[0-9]{6}$/.test(codeTyped.replace(/[ \t]/g, ""))) {
    return refuse("code", SECOND_FACTOR_WORDS.enterCode);
  }

  const state = await getTwoFactor(deps.db, user.id);
  if (
    deps.secrets === null || state === null || !state.enabled ||
    state.secretEncrypted === null
  ) {
    return failure("invalid", SECOND_FACTOR_WORDS.unavailable);
  }
  const wait = await deps.limiter.hit(ACCOUNT_LIMITS.secondFactor, user.id);
  if (wait > 0) {
    return failure(
      "rate_limited",
      `Too many wrong codes; try again in ${wait} seconds`,
      { retryAfterSeconds: wait, by: "account" },
    );
  }
  const now = nowOf(deps);

  if (recoveryHash !== null) {
    const left = await deps.db.transaction(async (tx) => {
      // deno-lint-ignore react-rules-of-hooks -- not a React hook
      if (!(await useRecoveryCode(tx, user.id, recoveryHash, now))) {
        return null;
      }
      const left = await countRecoveryCodesLeft(tx, user.id);
      await audit(tx, {
        userId: user.id,
        event: "auth.recovery_code_used",
        ip: meta.ip,
        userAgent: meta.userAgent,
        details: { left },
      }, now);
      await securityNotice(tx, noticeDeps(deps), {
        kind: "recovery_code_used",
        user,
        meta,
        at: now,
        extra: recoveryCodesLeftWords(left),
      });
      return left;
    });
    if (left === null) {
      return await wrong(deps, user, meta, "recovery_code", now);
    }
    await deps.limiter.clear(ACCOUNT_LIMITS.secondFactor, user.id);
    return { ok: true, method: "recovery_code", recoveryCodesLeft: left };
  }

  const opened = await deps.secrets.open(state.secretEncrypted, user.id);
  if (opened === null) {
    // Sealed under a key this server does not have (ENCRYPTION_KEY changed
    // without ENCRYPTION_KEY_PREVIOUS), or altered: no code can match.
    console.error(
      "A two-factor secret could not be decrypted: is ENCRYPTION_KEY (or ENCRYPTION_KEY_PREVIOUS) the key it was encrypted with?",
    );
    return refuse("code", SECOND_FACTOR_WORDS.unreadable);
  }
  const step = matchTotp(opened.plain, codeTyped, now);
  if (step === null || !(await claimTotpStep(deps.db, user.id, step))) {
    return await wrong(deps, user, meta, "totp", now);
  }
  if (opened.stale) {
    const resealed = await deps.secrets.seal(opened.plain, user.id);
    await resealTotpSecret(deps.db, user.id, state.secretEncrypted, resealed);
  }
  await deps.limiter.clear(ACCOUNT_LIMITS.secondFactor, user.id);
  return {
    ok: true,
    method: "totp",
    recoveryCodesLeft: await countRecoveryCodesLeft(deps.db, user.id),
  };
}

/**
 * What the recovery-code email says about the codes left: the count, and
 * what to do when few (or none) remain.
 *
 * @example
 * ```ts
 * recoveryCodesLeftWords(9)[0]; // "You have 9 recovery codes left."
 * ```
 */
export function recoveryCodesLeftWords(left: number): string[] {
  const count = left === 0
    ? "You have no recovery codes left."
    : `You have ${left} recovery code${left === 1 ? "" : "s"} left.`;
  if (left > FEW_RECOVERY_CODES) return [count];
  return [
    count,
    "Make new ones soon: sign in, open Settings, then Security, and make a new set of recovery codes. Keep them somewhere safe, away from your phone: without them, losing your phone would lock you out.",
  ];
}

async function wrong(
  deps: AccountDeps,
  user: User,
  meta: AccountMeta,
  method: "totp" | "recovery_code",
  now: number,
): Promise<Failure<"invalid">> {
  await audit(deps.db, {
    userId: user.id,
    event: "auth.second_factor_failed",
    ip: meta.ip,
    userAgent: meta.userAgent,
    details: { method },
  }, now);
  return method === "totp"
    ? refuse("code", SECOND_FACTOR_WORDS.wrongCode)
    : refuse("recoveryCode", SECOND_FACTOR_WORDS.wrongRecovery);
}

function refuse(field: string, message: string): Failure<"invalid"> {
  return failure("invalid", message, { details: { [field]: message } });
}

function text(value: unknown): string {
  return typeof value === "string" ? value.trim() : "";
}
