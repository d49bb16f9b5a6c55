/**
 * The second step of a sign-in with two-factor on, as a whole request: the
 * code page (plain form) and `POST /api/auth/two-factor` are thin adapters
 * over {@linkcode secondFactorAction}.
 *
 * Only a sign-in waiting for its code may use it; signed-out and signed-in
 * requests get their own answer ({@linkcode NotPending}). The code (or a
 * recovery code) is checked by the one check of a second factor
 * (`lib/auth/second_factor.ts`: per-account limit, replay guard, the
 * recovery code's email); then the pending session is replaced by a new
 * one, the sign-in is recorded and the new-device notice, held back at the
 * password, goes out.
 *
 * @module
 */
import type { Context } from "fresh";
import { noticeIfNewDevice } from "../account/new_device.ts";
import { readSessionToken, sessionCookie } from "../auth/cookie.ts";
import type { Failure } from "../auth/outcome.ts";
import { completePendingSession } from "../auth/pending_session.ts";
import { checkSecondFactor } from "../auth/second_factor.ts";
import { audit } from "../db/audit.ts";
import type { User } from "../db/users.ts";
import { readInput } from "../http/body.ts";
import { accountDeps, accountMeta } from "./account_actions.ts";
import { limitByIp } from "./auth.ts";
import type { SecondFactorPending, State } from "./state.ts";

/** The code was accepted: the user is signed in with a new session. */
export interface SecondFactorPassed {
  ok: true;
  user: User;
  /** Set-Cookie value of the new session (the pending one is gone). */
  cookie: string;
  method: "totp" | "recovery_code";
  /** Recovery codes the account has left (after this one, if one was used). */
  recoveryCodesLeft: number;
}

/**
 * The request is not a sign-in waiting for its code: fully signed in
 * already, signed out, or its sign-in timed out (a session cookie came
 * but names no live session: the pending one expired after 10 minutes,
 * was signed out, or was completed by another request).
 */
export interface NotPending {
  ok: false;
  reason: "signed_in" | "signed_out" | "timed_out";
}

const NOT_PENDING: ReadonlySet<string> = new Set([
  "signed_in",
  "signed_out",
  "timed_out",
]);

/**
 * Whether a refusal is for want of a sign-in waiting for its code.
 *
 * @example
 * ```ts
 * import { failure } from "../auth/outcome.ts";
 * isNotPending({ ok: false, reason: "timed_out" }); // true
 * isNotPending(failure("invalid", "That code is not right")); // false
 * ```
 */
export function isNotPending(
  outcome: Failure | NotPending,
): outcome is NotPending {
  return NOT_PENDING.has(outcome.reason);
}

/** What {@linkcode secondFactorAction} can answer. */
export type SecondFactorOutcome =
  | SecondFactorPassed
  | Failure<"invalid" | "rate_limited">
  | NotPending;

/**
 * The pending sign-in of the request, or why there is none.
 *
 * @example
 * ```ts
 * import type { Context } from "fresh";
 * import type { State } from "./state.ts";
 * declare const ctx: Context<State>;
 * const found = pendingSignIn(ctx);
 * if (found.ok) console.log(found.pending.user.email);
 * else console.log(found.reason); // "signed_in", "signed_out" or "timed_out"
 * ```
 */
export function pendingSignIn(
  ctx: Context<State>,
): { ok: true; pending: SecondFactorPending } | NotPending {
  const auth = ctx.state.auth;
  if (auth.kind === "second_factor_pending") return { ok: true, pending: auth };
  if (auth.kind === "signed_in") return { ok: false, reason: "signed_in" };
  const secure = ctx.state.services.config.secureCookies;
  return {
    ok: false,
    reason: readSessionToken(ctx.req, secure) === null
      ? "signed_out"
      : "timed_out",
  };
}

/**
 * Takes the second factor from the request (`code`, the 6 digits, or
 * `recoveryCode`): the network limit, the body (a malformed one throws
 * `BodyError`), the check, then the new session.
 *
 * @example
 * ```ts
 * import type { Context } from "fresh";
 * import type { State } from "./state.ts";
 * declare const ctx: Context<State>;
 * const outcome = await secondFactorAction(ctx);
 * if (outcome.ok) console.log(outcome.cookie, outcome.recoveryCodesLeft);
 * else console.log(outcome.reason); // "invalid", "rate_limited", "timed_out", …
 * ```
 */
export async function secondFactorAction(
  ctx: Context<State>,
): Promise<SecondFactorOutcome> {
  const found = pendingSignIn(ctx);
  if (!found.ok) return found;
  const { user, session } = found.pending;
  const limited = await limitByIp(ctx, "auth");
  if (limited) return limited;
  const input = await readInput(ctx.req);
  const { services } = ctx.state;
  const meta = accountMeta(ctx);
  const checked = await checkSecondFactor(accountDeps(services), user, {
    code: input.code,
    recoveryCode: input.recoveryCode,
  }, meta);
  if (!checked.ok) return checked;

  const started = await completePendingSession(services.sessions, session, {
    ip: meta.ip,
    userAgent: meta.userAgent,
  });
  // Ended while the code was checked (signed out, expired, or another
  // request with a code got there first): this one signs nobody in.
  if (started === null) return { ok: false, reason: "timed_out" };
  await audit(services.db, {
    userId: user.id,
    event: "auth.second_factor_passed",
    ip: meta.ip,
    userAgent: meta.userAgent,
    details: { method: checked.method },
  });
  // Held back at the password: the sign-in is complete only now.
  await noticeIfNewDevice(services.db, services, user, meta);
  return {
    ok: true,
    user,
    cookie: sessionCookie(
      started.token,
      started.session.expiresAt,
      services.config.secureCookies,
    ),
    method: checked.method,
    recoveryCodesLeft: checked.recoveryCodesLeft,
  };
}
