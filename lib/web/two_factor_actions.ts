/**
 * The two-factor settings as whole requests, written once for the page
 * (`/settings/two-factor`) and the JSON endpoints
 * (`/api/account/two-factor/…`): the per-account limit, the recent sign-in
 * that turning it off and new recovery codes need, then the account's
 * action from `lib/auth/two_factor.ts`. Each adapter only says the outcome
 * its own way.
 *
 * The gate lives here rather than in each route, so that no adapter can
 * forget it: a gated action answers either the `Response` that asks for a
 * recent sign-in (a 303 to the confirm-access page, or the JSON 403) or
 * its outcome.
 *
 * @module
 */
import type { Context } from "fresh";
import type { Failure } from "../auth/outcome.ts";
import {
  confirmTwoFactorSetup,
  disableTwoFactor,
  pendingTwoFactorSetup,
  regenerateRecoveryCodes,
  startTwoFactorSetup,
  type TwoFactorSetup,
  twoFactorStatus,
} from "../auth/two_factor.ts";
import { accountDeps, accountMeta } from "./account_actions.ts";
import { limitByUser } from "./limit_user.ts";
import { requireRecentAuth } from "./recent_auth.ts";
import { requireSignedIn, type State } from "./state.ts";

/** Where the account stands: on or off, codes left, and whether this server can do it at all. */
export type TwoFactorStatus = Awaited<ReturnType<typeof twoFactorStatus>>;

/** Outcome of {@linkcode startTwoFactorSetupAction}. */
export type SetupOutcome =
  | { ok: true; setup: TwoFactorSetup }
  | Failure<"taken" | "invalid" | "rate_limited">;

/** Outcome of the actions that hand out recovery codes. */
export type CodesOutcome =
  | { ok: true; recoveryCodes: string[] }
  | Failure<"invalid" | "rate_limited" | "taken">;

/**
 * The signed-in account's two-factor status, counted against the
 * per-user API limit (`api`, 1000 an hour): reading it changes nothing,
 * so it does not eat into the limit of the settings that do.
 *
 * @example
 * ```ts
 * import type { Context } from "fresh";
 * import type { State } from "./state.ts";
 * declare const ctx: Context<State>;
 * const status = await twoFactorStatusAction(ctx);
 * if (status.ok) console.log(status.enabled, status.recoveryCodesLeft);
 * ```
 */
export async function twoFactorStatusAction(
  ctx: Context<State>,
): Promise<({ ok: true } & TwoFactorStatus) | Failure<"rate_limited">> {
  const { user } = requireSignedIn(ctx.state);
  const limited = await limitByUser(ctx, "api", user.id);
  if (limited) return limited;
  const status = await twoFactorStatus(accountDeps(ctx.state.services), user);
  return { ok: true, ...status };
}

/**
 * Starts (or restarts) setting two-factor up: a new secret, stored sealed
 * and not yet on, shown as a QR code and a text key.
 *
 * @example
 * ```ts
 * import type { Context } from "fresh";
 * import type { State } from "./state.ts";
 * declare const ctx: Context<State>;
 * const outcome = await startTwoFactorSetupAction(ctx);
 * if (outcome.ok) console.log(outcome.setup.keyText);
 * ```
 */
export async function startTwoFactorSetupAction(
  ctx: Context<State>,
): Promise<SetupOutcome> {
  const { user } = requireSignedIn(ctx.state);
  const limited = await limitByUser(ctx, "twoFactor", user.id);
  if (limited) return limited;
  return await startTwoFactorSetup(accountDeps(ctx.state.services), user);
}

/**
 * Turns two-factor on with the code the app shows (`input.code`); the ten
 * recovery codes come back once. A wrong or malformed code names the
 * `code` field in `details`.
 *
 * @example
 * ```ts
 * import type { Context } from "fresh";
 * import type { State } from "./state.ts";
 * declare const ctx: Context<State>;
 * const outcome = await enableTwoFactorAction(ctx, { code: "123 456" });
 * if (!outcome.ok) console.log(outcome.details?.code);
 * ```
 */
export async function enableTwoFactorAction(
  ctx: Context<State>,
  input: Record<string, string>,
): Promise<CodesOutcome> {
  const { user, session } = requireSignedIn(ctx.state);
  const limited = await limitByUser(ctx, "twoFactor", user.id);
  if (limited) return limited;
  // The core reads the code (digits and spaces) and names the field when
  // it is wrong; a missing one is an empty code.
  return await confirmTwoFactorSetup(
    accountDeps(ctx.state.services),
    user,
    session.id,
    input.code ?? "",
    accountMeta(ctx),
  );
}

/**
 * Turns two-factor off, once the session has a recent sign-in: the
 * answer asking for one, or the outcome.
 *
 * @example
 * ```ts
 * import type { Context } from "fresh";
 * import type { State } from "./state.ts";
 * declare const ctx: Context<State>;
 * const outcome = await disableTwoFactorAction(ctx);
 * if (outcome instanceof Response) console.log(outcome.status); // 303 or 403
 * ```
 */
export async function disableTwoFactorAction(
  ctx: Context<State>,
): Promise<Response | { ok: true } | Failure<"invalid" | "rate_limited">> {
  const { user } = requireSignedIn(ctx.state);
  const ask = requireRecentAuth(ctx);
  if (ask) return ask;
  const limited = await limitByUser(ctx, "twoFactor", user.id);
  if (limited) return limited;
  return await disableTwoFactor(
    accountDeps(ctx.state.services),
    user,
    accountMeta(ctx),
  );
}

/**
 * A new set of ten recovery codes (the old ones stop working), once the
 * session has a recent sign-in: the answer asking for one, or the
 * outcome.
 *
 * @example
 * ```ts
 * import type { Context } from "fresh";
 * import type { State } from "./state.ts";
 * declare const ctx: Context<State>;
 * const outcome = await regenerateRecoveryCodesAction(ctx);
 * if (!(outcome instanceof Response) && outcome.ok) console.log(outcome.recoveryCodes.length); // 10
 * ```
 */
export async function regenerateRecoveryCodesAction(
  ctx: Context<State>,
): Promise<Response | CodesOutcome> {
  const { user } = requireSignedIn(ctx.state);
  const ask = requireRecentAuth(ctx);
  if (ask) return ask;
  const limited = await limitByUser(ctx, "twoFactor", user.id);
  if (limited) return limited;
  return await regenerateRecoveryCodes(
    accountDeps(ctx.state.services),
    user,
    accountMeta(ctx),
  );
}

/**
 * The setup under way (a secret stored, two-factor not on yet), shown
 * again after a wrong code so that the person keeps the key already in
 * their app; null when there is none.
 *
 * @example
 * ```ts
 * import type { Context } from "fresh";
 * import type { State } from "./state.ts";
 * declare const ctx: Context<State>;
 * const setup = await pendingSetupOf(ctx);
 * ```
 */
export async function pendingSetupOf(
  ctx: Context<State>,
): Promise<TwoFactorSetup | null> {
  const { user } = requireSignedIn(ctx.state);
  return await pendingTwoFactorSetup(accountDeps(ctx.state.services), user);
}
