/**
 * Sign-up and sign-in as whole requests, written once: the rate limits,
 * the body, the domain action and (sign-in) the new session. The page (plain form
 * post) and the JSON endpoint are thin adapters over these; each only
 * says the outcome in its own way.
 *
 * @module
 */
import type { Context } from "fresh";
import { noticeIfNewDevice } from "../account/new_device.ts";
import type { Failure } from "../auth/outcome.ts";
import { signIn } from "../auth/sign_in.ts";
import { signUp } from "../auth/sign_up.ts";
import type { User } from "../db/users.ts";
import { readInput } from "../http/body.ts";
import {
  accountLimiter,
  beginSession,
  limitByIp,
  requestMeta,
} from "./auth.ts";
import type { State } from "./state.ts";

/**
 * The password was accepted: the user and the Set-Cookie value of their
 * new session. With `secondFactor` the session only waits for the code
 * (the account has two-factor on): the person is not signed in yet, and
 * goes to the code page next (`lib/web/second_factor_paths.ts`).
 */
export interface Started {
  ok: true;
  user: User;
  cookie: string;
  secondFactor: boolean;
}

/** A refusal, with the email that was sent (to fill the form again). */
export type Refused = Failure & { email?: string };

/**
 * Signs in from the request: the network limit, then the body (a
 * malformed one throws `BodyError`), the credentials and a new session,
 * which waits for the second factor when the account has two-factor on.
 *
 * @example
 * ```ts
 * import type { Context } from "fresh";
 * import type { State } from "./state.ts";
 * declare const ctx: Context<State>;
 * const outcome = await signInAction(ctx);
 * if (outcome.ok && outcome.secondFactor) console.log("a code is owed");
 * else if (outcome.ok) console.log(outcome.cookie);
 * else console.log(outcome.reason); // "wrong_credentials", "rate_limited", …
 * ```
 */
export async function signInAction(
  ctx: Context<State>,
): Promise<Started | Refused> {
  const limited = await limitByIp(ctx, "auth");
  if (limited) return limited;
  const input = await readInput(ctx.req);
  const { services } = ctx.state;
  const result = await signIn(
    services.db,
    accountLimiter(services),
    input,
    requestMeta(ctx),
  );
  if (!result.ok) return { ...result, email: input.email };
  const { user } = result;
  if (user.twoFactorEnabled) {
    // Not signed in yet: the new-device notice waits for the code too
    // (lib/web/second_factor_actions.ts), so a password alone, guessed or
    // stolen, tells nothing about the account by mail.
    const cookie = await beginSession(ctx, user.id, {
      secondFactorPending: true,
    });
    return { ok: true, user, cookie, secondFactor: true };
  }
  // The owner hears of a device this account has not been used from.
  await noticeIfNewDevice(services.db, services, user, requestMeta(ctx));
  return {
    ok: true,
    user,
    cookie: await beginSession(ctx, user.id),
    secondFactor: false,
  };
}

/** A sign-up that went through: the one answer for new and known addresses. */
export interface SignedUp {
  ok: true;
  /** The address, normalised, to show back. */
  email: string;
  /** "Check your inbox at … to confirm it." */
  message: string;
}

/**
 * Signs up from the request: the network and registration limits, then
 * the body (a malformed one throws `BodyError`) and the sign-up. Starts no
 * session: the answer must be the same whether or not the address already
 * had an account (see `lib/auth/sign_up.ts`).
 *
 * @example
 * ```ts
 * import type { Context } from "fresh";
 * import type { State } from "./state.ts";
 * declare const ctx: Context<State>;
 * const outcome = await signUpAction(ctx);
 * if (outcome.ok) console.log(outcome.message); // "Check your inbox at … to confirm it."
 * ```
 */
export async function signUpAction(
  ctx: Context<State>,
): Promise<SignedUp | Refused> {
  const limited = await limitByIp(ctx, "auth") ??
    await limitByIp(ctx, "registration");
  if (limited) return limited;
  const input = await readInput(ctx.req);
  const result = await signUp(ctx.state.services, input, requestMeta(ctx));
  if (!result.ok) return { ...result, email: input.email };
  return result;
}
