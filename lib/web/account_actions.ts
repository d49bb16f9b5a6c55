/**
 * Password reset, change password and change email as whole requests: the
 * network limit, the body (a malformed one throws `BodyError`) and the
 * domain action. Pages and JSON endpoints are thin adapters over these.
 *
 * @module
 */
import type { Context } from "fresh";
import {
  type AccountDeps,
  type AccountMeta,
  cacheLimiter,
} from "../auth/account_deps.ts";
import {
  confirmEmailChange,
  type EmailChangeRequestResult,
  type EmailChangeResult,
  requestEmailChange,
  undoEmailChange,
} from "../auth/change_email.ts";
import {
  changePassword,
  type ChangePasswordResult,
} from "../auth/change_password.ts";
import {
  confirmAccess,
  type ConfirmAccessResult,
} from "../auth/confirm_access.ts";
import type { Failure } from "../auth/outcome.ts";
import {
  requestPasswordReset,
  resetPassword,
  type ResetRequestResult,
  type ResetResult,
} from "../auth/password_reset.ts";
import { readInput } from "../http/body.ts";
import type { Services } from "../services.ts";
import { limitByIp, requestMeta } from "./auth.ts";
import { deviceLabel } from "./device.ts";
import { requireSignedIn, type State } from "./state.ts";

/**
 * The account actions' dependencies, from the app's services.
 *
 * @example
 * ```ts
 * import type { Services } from "../services.ts";
 * declare const services: Services;
 * const deps = accountDeps(services);
 * ```
 */
export function accountDeps(services: Services): AccountDeps {
  return {
    db: services.db,
    sessions: services.sessions,
    mailer: services.mailer,
    appUrl: services.config.appUrl,
    limiter: cacheLimiter(services.cache, services.config.rateLimits),
    secrets: services.secrets,
  };
}

/**
 * Who is asking: IP, user agent and its short label for the mails.
 *
 * @example
 * ```ts
 * import type { Context } from "fresh";
 * import type { State } from "./state.ts";
 * declare const ctx: Context<State>;
 * accountMeta(ctx).device; // "Firefox on Linux"
 * ```
 */
export function accountMeta(ctx: Context<State>): AccountMeta {
  const meta = requestMeta(ctx);
  return { ...meta, device: deviceLabel(meta.userAgent) };
}

/**
 * What a refused form had, to fill it again: the address and the link's
 * token, never a password.
 */
export interface Typed {
  typed?: { email?: string; token?: string };
}

type Input = Record<string, string>;

async function run<T extends { ok: boolean }>(
  ctx: Context<State>,
  action: (deps: AccountDeps, input: Input, meta: AccountMeta) => Promise<T>,
): Promise<(T | Failure<"rate_limited">) & Typed> {
  const limited = await limitByIp(ctx, "auth");
  if (limited) return limited;
  const input = await readInput(ctx.req);
  const outcome = await action(
    accountDeps(ctx.state.services),
    input,
    accountMeta(ctx),
  );
  if (outcome.ok) return outcome;
  return { ...outcome, typed: { email: input.email, token: input.token } };
}

/**
 * "Forgot your password": mails a reset link if an account uses the
 * address; the same answer either way.
 *
 * @example
 * ```ts
 * import type { Context } from "fresh";
 * import type { State } from "./state.ts";
 * declare const ctx: Context<State>;
 * const outcome = await forgotPasswordAction(ctx);
 * ```
 */
export function forgotPasswordAction(
  ctx: Context<State>,
): Promise<ResetRequestResult & Typed> {
  return run(ctx, requestPasswordReset);
}

/**
 * Sets a new password with a reset link's token (`token`, `password`).
 *
 * @example
 * ```ts
 * import type { Context } from "fresh";
 * import type { State } from "./state.ts";
 * declare const ctx: Context<State>;
 * const outcome = await resetPasswordAction(ctx);
 * ```
 */
export function resetPasswordAction(
  ctx: Context<State>,
): Promise<(ResetResult | Failure<"rate_limited">) & Typed> {
  return run(ctx, resetPassword);
}

/**
 * Changes the signed-in user's password (`currentPassword`,
 * `newPassword`); every other session ends.
 *
 * @example
 * ```ts
 * import type { Context } from "fresh";
 * import type { State } from "./state.ts";
 * declare const ctx: Context<State>;
 * const outcome = await changePasswordAction(ctx);
 * ```
 */
export function changePasswordAction(
  ctx: Context<State>,
): Promise<ChangePasswordResult & Typed> {
  const { user, session } = requireSignedIn(ctx.state);
  return run(
    ctx,
    (deps, input, meta) => changePassword(deps, user, session.id, input, meta),
  );
}

/**
 * Confirms who is using the signed-in session (`password`, and `code` or
 * `recoveryCode` when two-factor is on), so sensitive actions pass for
 * ten minutes.
 *
 * @example
 * ```ts
 * import type { Context } from "fresh";
 * import type { State } from "./state.ts";
 * declare const ctx: Context<State>;
 * const outcome = await confirmAccessAction(ctx);
 * ```
 */
export function confirmAccessAction(
  ctx: Context<State>,
): Promise<(ConfirmAccessResult | Failure<"rate_limited">) & Typed> {
  const { user, session } = requireSignedIn(ctx.state);
  return run(
    ctx,
    (deps, input, meta) => confirmAccess(deps, user, session.id, input, meta),
  );
}

/**
 * Asks to move the signed-in user to another address (`email`); the
 * session must have confirmed access recently (the route checks).
 *
 * @example
 * ```ts
 * import type { Context } from "fresh";
 * import type { State } from "./state.ts";
 * declare const ctx: Context<State>;
 * const outcome = await changeEmailAction(ctx);
 * ```
 */
export function changeEmailAction(
  ctx: Context<State>,
): Promise<EmailChangeRequestResult & Typed> {
  const { user } = requireSignedIn(ctx.state);
  return run(
    ctx,
    (deps, input, meta) => requestEmailChange(deps, user, input, meta),
  );
}

/**
 * Applies an email change with its confirmation token (`token`).
 *
 * @example
 * ```ts
 * import type { Context } from "fresh";
 * import type { State } from "./state.ts";
 * declare const ctx: Context<State>;
 * const outcome = await confirmEmailChangeAction(ctx);
 * ```
 */
export function confirmEmailChangeAction(
  ctx: Context<State>,
): Promise<(EmailChangeResult | Failure<"rate_limited">) & Typed> {
  return run(ctx, confirmEmailChange);
}

/**
 * Undoes an email change with the old address's token (`token`).
 *
 * @example
 * ```ts
 * import type { Context } from "fresh";
 * import type { State } from "./state.ts";
 * declare const ctx: Context<State>;
 * const outcome = await undoEmailChangeAction(ctx);
 * ```
 */
export function undoEmailChangeAction(
  ctx: Context<State>,
): Promise<(EmailChangeResult | Failure<"rate_limited">) & Typed> {
  return run(ctx, undoEmailChange);
}

/**
 * Headers of every page that carries a token in its URL or form: the
 * token must not leave in a Referer to anything the page links to.
 */
export const TOKEN_PAGE_HEADERS: Readonly<Record<string, string>> = {
  "referrer-policy": "no-referrer",
  "cache-control": "no-store",
};
