/**
 * The app's request state (`ctx.state`) and the one typed auth state on
 * it. Lives in lib so lib code can name it; `utils.ts` re-exports it.
 *
 * @module
 */
import { HttpError } from "fresh";
import type { Session } from "../auth/session.ts";
import type { User } from "../db/users.ts";
import type { PaymentProblem } from "../billing/payment_notice.ts";
import type { Services } from "../services.ts";
import type { PageBanner } from "./page_banner.ts";

/** Colour scheme the visitor chose; "system" follows the OS. */
export type Theme = "system" | "light" | "dark";

/** Nobody is signed in (or the session cookie named no live session). */
export interface SignedOut {
  kind: "signed_out";
}

/** A user with a live session. */
export interface SignedIn {
  kind: "signed_in";
  user: User;
  session: Session;
}

/**
 * The password (or a provider) was accepted and a second factor is still
 * owed. Its session is the pending one (`secondFactorPending`, 10 minutes):
 * only the code page and sign-out read it; to every other page and API
 * this state is signed out, and it can never pass
 * {@linkcode requireSignedIn}.
 */
export interface SecondFactorPending {
  kind: "second_factor_pending";
  user: User;
  session: Session;
}

/** Who is asking: exactly one of these, set by `routes/_middleware.ts`. */
export type AuthState = SignedOut | SignedIn | SecondFactorPending;

/** The signed-out state; one shared value, never mutated. */
export const SIGNED_OUT: SignedOut = Object.freeze({ kind: "signed_out" });

/** What middlewares put on `ctx.state` for handlers and pages. */
export interface State {
  theme: Theme;
  services: Services;
  /** The client's address (socket, or X-Forwarded-For from trusted proxies). */
  clientIp: string;
  auth: AuthState;
  /**
   * A one-time notice for this page whatever it is (recovery codes left,
   * after signing in with one), shown by `_app.tsx`; see
   * `lib/web/page_banner.ts`.
   */
  banner?: PageBanner | null;
  /**
   * A signed-in account's failed payment, for the banner on every page
   * (`lib/billing/payment_notice.ts`); unset on JSON answers.
   */
  paymentProblem?: PaymentProblem | null;
}

/**
 * The signed-in user and session, or an `HttpError(401)`. Pages under
 * `routes/(app)/` never see the throw: their middleware sends visitors to
 * sign in first. Under `/api/` it becomes the JSON 401.
 *
 * @example
 * ```ts
 * import type { Context } from "fresh";
 * declare const ctx: Context<State>;
 * const { user, session } = requireSignedIn(ctx.state);
 * console.log(user.email, session.id);
 * ```
 */
export function requireSignedIn(state: Pick<State, "auth">): SignedIn {
  const auth = state.auth;
  if (auth?.kind !== "signed_in") {
    throw new HttpError(401, "Sign in to continue");
  }
  return auth;
}

/**
 * Whether a user is fully signed in. Safe on pages rendered before the
 * session middleware ran (an error page), where there is no auth state.
 *
 * @example
 * ```ts
 * declare const state: State;
 * const label = isSignedIn(state) ? "Dashboard" : "Sign in";
 * ```
 */
export function isSignedIn(state: Partial<Pick<State, "auth">>): boolean {
  return state.auth?.kind === "signed_in";
}
