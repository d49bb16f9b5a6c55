/**
 * The account actions as whole requests, written once for the page and
 * the JSON endpoint: the limits, the body, the domain action. Each adapter
 * only says the outcome its own way.
 *
 * @module
 */
import type { Context } from "fresh";
import { deleteAccount, type DeleteResult } from "../account/delete_account.ts";
import { endEverySession, type NotMeResult } from "../account/not_me.ts";
import {
  type PreferencesResult,
  updatePreferences,
} from "../account/preferences.ts";
import type { Failure } from "../auth/outcome.ts";
import { readInput } from "../http/body.ts";
import { limitByIp, requestMeta } from "./auth.ts";
import { limitByUser } from "./limit_user.ts";
import { requireSignedIn, type State } from "./state.ts";

/**
 * Deletes the signed-in account from the request: the network and
 * account limits, then {@linkcode deleteAccount}. The route has checked
 * that the session proved who is using it recently; no body is read.
 *
 * @example
 * ```ts
 * import type { Context } from "fresh";
 * import type { State } from "./state.ts";
 * declare const ctx: Context<State>;
 * const outcome = await deleteAccountAction(ctx);
 * if (outcome.ok) console.log(outcome.sessionsEnded);
 * ```
 */
export async function deleteAccountAction(
  ctx: Context<State>,
): Promise<DeleteResult | Failure<"rate_limited">> {
  const { user } = requireSignedIn(ctx.state);
  const limited = await limitByIp(ctx, "auth") ??
    await limitByUser(ctx, "account", user.id);
  if (limited) return limited;
  const { services } = ctx.state;
  return await deleteAccount(
    {
      mailer: services.mailer,
      config: services.config,
      sessions: services.sessions,
      billing: services.billing,
    },
    user,
    requestMeta(ctx),
  );
}

/**
 * Stores the signed-in person's preferences from the request.
 *
 * @example
 * ```ts
 * import type { Context } from "fresh";
 * import type { State } from "./state.ts";
 * declare const ctx: Context<State>;
 * const outcome = await preferencesAction(ctx);
 * if (!outcome.ok) console.log(outcome.details);
 * ```
 */
export async function preferencesAction(
  ctx: Context<State>,
): Promise<PreferencesResult | Failure<"rate_limited">> {
  const { user } = requireSignedIn(ctx.state);
  const limited = await limitByUser(ctx, "account", user.id);
  if (limited) return limited;
  const input = await readInput(ctx.req);
  return await updatePreferences(
    ctx.state.services.db,
    user.id,
    input,
    requestMeta(ctx),
  );
}

/**
 * Uses a "this wasn't me" token from the request (no session needed):
 * the network limit, the body, then {@linkcode endEverySession}.
 *
 * @example
 * ```ts
 * import type { Context } from "fresh";
 * import type { State } from "./state.ts";
 * declare const ctx: Context<State>;
 * const outcome = await notMeAction(ctx);
 * if (outcome.ok) console.log(`${outcome.ended} sessions ended`);
 * ```
 */
export async function notMeAction(
  ctx: Context<State>,
): Promise<NotMeResult | Failure<"rate_limited">> {
  const limited = await limitByIp(ctx, "auth");
  if (limited) return limited;
  const input = await readInput(ctx.req);
  return await endEverySession(
    ctx.state.services.sessions,
    input.token,
    requestMeta(ctx),
  );
}
