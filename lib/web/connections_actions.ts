/**
 * The Connected accounts settings as whole requests, written once for the
 * page (`/settings/connections`) and the JSON routes
 * (`/api/account/connections`): listing the account's links under the
 * configured providers, and disconnecting one.
 *
 * Disconnecting changes how the account signs in, so it needs a sign-in
 * from the last 10 minutes. The gate is here rather than only in the
 * page's group middleware, so that no adapter can forget it: the action
 * answers either the `Response` that asks for the proof (a 303 to the
 * confirm-access page, or the JSON 403) or its outcome. The last-method
 * rule (no password and one link) is `unlinkIdentity`'s, enforced with
 * the delete itself.
 *
 * @module
 */
import type { Context } from "fresh";
import { type Failure, failure } from "../auth/outcome.ts";
import { listOAuthAccounts } from "../db/oauth_accounts.ts";
import { unlinkIdentity } from "../oauth/accounts.ts";
import { accountDeps, accountMeta } from "./account_actions.ts";
import {
  type ConnectionsView,
  connectionsView,
  providerIndexOf,
  providerNameOf,
} from "./connections_view.ts";
import { limitByUser } from "./limit_user.ts";
import { requireRecentAuth } from "./recent_auth.ts";
import { requireSignedIn, type State } from "./state.ts";

/** Outcome of {@linkcode connectionsAction}. */
export type ConnectionsOutcome =
  | { ok: true; view: ConnectionsView }
  | Failure<"rate_limited">;

/** Outcome of {@linkcode disconnectAction}. */
export type DisconnectOutcome =
  | {
    ok: true;
    /** The provider's name, for the words said after. */
    providerName: string;
    /** Its index in `services.oauth.list` (past the end: no longer configured), for the flash. */
    providerIndex: number;
  }
  | Failure<"not_found" | "last_method" | "rate_limited">;

/** What an unknown, malformed or someone else's link id gets: all alike. */
export const NO_SUCH_CONNECTION =
  "That connected account was not found: it may have been disconnected already.";

// oauth_accounts.id is an integer key on both engines (a BIGINT at most).
const LINK_ID = /^[1-9][0-9]{0,17}$/;

/**
 * The signed-in account's connections under the configured providers,
 * once the session has a recent sign-in (as the page they are on: the
 * answer asking for one, or the outcome), counted against the per-user
 * API limit (reading changes nothing).
 *
 * @example
 * ```ts
 * import type { Context } from "fresh";
 * import type { State } from "./state.ts";
 * declare const ctx: Context<State>;
 * const outcome = await connectionsAction(ctx);
 * if (!(outcome instanceof Response) && outcome.ok) {
 *   console.log(outcome.view.providers.map((p) => p.name));
 * }
 * ```
 */
export async function connectionsAction(
  ctx: Context<State>,
): Promise<Response | ConnectionsOutcome> {
  const { user } = requireSignedIn(ctx.state);
  const ask = requireRecentAuth(ctx);
  if (ask) return ask;
  const limited = await limitByUser(ctx, "api", user.id);
  if (limited) return limited;
  const { services } = ctx.state;
  const links = await listOAuthAccounts(services.db, user.id);
  return {
    ok: true,
    view: connectionsView(services.oauth, links, user.hasPassword),
  };
}

/**
 * Disconnects link `linkId` (`oauth_accounts.id`, as text) of the
 * signed-in account, once the session has a recent sign-in: the answer
 * asking for one, or the outcome. An id that is malformed, unknown or
 * another account's is `not_found`, all alike; the account's only way to
 * sign in is `last_method` (409), with nothing changed.
 *
 * @example
 * ```ts
 * import type { Context } from "fresh";
 * import type { State } from "./state.ts";
 * declare const ctx: Context<State>;
 * const outcome = await disconnectAction(ctx, "12");
 * if (outcome instanceof Response) console.log(outcome.status); // 303 or 403
 * else if (outcome.ok) console.log(`${outcome.providerName} is disconnected.`);
 * ```
 */
export async function disconnectAction(
  ctx: Context<State>,
  linkId: string,
): Promise<Response | DisconnectOutcome> {
  const { user } = requireSignedIn(ctx.state);
  const ask = requireRecentAuth(ctx);
  if (ask) return ask;
  const limited = await limitByUser(ctx, "account", user.id);
  if (limited) return limited;
  if (!LINK_ID.test(linkId)) return failure("not_found", NO_SUCH_CONNECTION);
  const { services } = ctx.state;
  // Only to name the provider in the words, the mail and the audit row:
  // whether the link is this account's is decided by the delete itself.
  const link = (await listOAuthAccounts(services.db, user.id))
    .find((l) => l.id === linkId);
  if (link === undefined) return failure("not_found", NO_SUCH_CONNECTION);
  const providerName = providerNameOf(services.oauth, link);
  const outcome = await unlinkIdentity(
    accountDeps(services),
    user,
    linkId,
    providerName,
    accountMeta(ctx),
  );
  if (!outcome.ok) return outcome;
  return {
    ok: true,
    providerName,
    providerIndex: providerIndexOf(services.oauth, link),
  };
}

/** A provider the signed-in account can sign in with again, as a link. */
export interface SignInAgainLink {
  name: string;
  /** `/oauth/<id>?next=<next>`: a new sign-in, then back to `next`. */
  href: string;
}

/**
 * The configured providers the signed-in account is connected to, each
 * as a link that signs in with it again and then goes to `next` (a path
 * the caller has made safe): for the confirm-access page of an account
 * without a password, where a new sign-in is the proof. Empty when the
 * account has a password (it confirms with that) or no usable link.
 *
 * @example
 * ```ts
 * import type { Context } from "fresh";
 * import type { State } from "./state.ts";
 * declare const ctx: Context<State>;
 * const links = await signInAgainLinks(ctx, "/settings/connections");
 * links.map((l) => l.href); // ["/oauth/github?next=%2Fsettings%2Fconnections"]
 * ```
 */
export async function signInAgainLinks(
  ctx: Context<State>,
  next: string,
): Promise<SignInAgainLink[]> {
  const { user } = requireSignedIn(ctx.state);
  if (user.hasPassword) return [];
  const { services } = ctx.state;
  const ids = new Set<string>();
  for (const link of await listOAuthAccounts(services.db, user.id)) {
    const client = services.oauth.forLink(link.provider, link.providerUserId);
    if (client) ids.add(client.id);
  }
  // In the sign-in page's order.
  return services.oauth.list.filter((c) => ids.has(c.id)).map((c) => ({
    name: c.name,
    href: `/oauth/${encodeURIComponent(c.id)}?${new URLSearchParams({ next })}`,
  }));
}
