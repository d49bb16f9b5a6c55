/**
 * The end of a provider flow, `GET /oauth/<id>/callback`: check that the
 * answer belongs to the flow this browser started, ask the provider who
 * signed in, then sign that person in (or up) or connect the identity to
 * the signed-in account.
 *
 * Decisions:
 * - Every answer clears the flow cookie, whatever happened: a flow is
 *   finished once, and a failed one is started again from its page.
 * - The checks run in the order of `checkCallback` (cookie, provider and
 *   state, age, the provider's own error, the code), then the state is
 *   claimed in the cache (a replayed callback, even with the cookie
 *   copied, is refused), then the code is exchanged. Nothing is written
 *   before the identity is known, and a refusal after it (`email_taken`,
 *   `no_email`) writes nothing either (`resolveIdentity`'s rule).
 * - A sign-in through a provider is a sign-in like a password one: a new
 *   session, `auth.sign_in` in the audit log (with the provider's name),
 *   and with two-factor on only a pending session and the code page; the
 *   new-device notice waits for the full sign-in, as after a password.
 * - The `registration` limit (per IP, as for sign-ups with a password) is
 *   counted only when the identity would make a new account: a returning
 *   person is never held back by it. The guess is made before
 *   `resolveIdentity` (which stays free of web concerns) from the same
 *   facts it decides on; a race between them can only let one more
 *   account through, never refuse a returning person.
 * - A connection finishes only in the session of the account that
 *   started it (the flow carries its user id): a callback opened in
 *   another account's browser, or after signing out, connects nothing.
 *
 * @module
 */
import type { Context } from "fresh";
import { noticeIfNewDevice } from "../account/new_device.ts";
import { audit } from "../db/audit.ts";
import type { Db } from "../db/db.ts";
import { getUserByOAuthAccount } from "../db/oauth_accounts.ts";
import { getUserByEmail } from "../db/users.ts";
import { linkIdentity, resolveIdentity } from "../oauth/accounts.ts";
import {
  checkCallback,
  claimState,
  clearFlowCookie,
  type OAuthFlow,
  readFlow,
} from "../oauth/flow.ts";
import {
  type OAuthClient,
  OAuthError,
  type ProviderIdentity,
} from "../oauth/provider.ts";
import { accountDeps, accountMeta } from "./account_actions.ts";
import { beginSession, limitByIp } from "./auth.ts";
import { flashCookie } from "./flash.ts";
import {
  CONNECTIONS_PAGE,
  type OAuthAnswer,
  oauthProblem,
  type OAuthProblemContext,
  type OAuthProblemReason,
} from "./oauth_failure.ts";
import { safeNext } from "./safe_next.ts";
import { secondFactorPage } from "./second_factor_paths.ts";
import type { State } from "./state.ts";

/**
 * Finishes the flow of provider `id` that this callback request returns
 * from: a 303 into Islet (signed in, on the code page, or back to the
 * connections page with a notice), or the failure page's problem.
 *
 * @example
 * ```ts
 * import type { Context } from "fresh";
 * import type { State } from "./state.ts";
 * import { oauthHeaders } from "./oauth_failure.ts";
 * declare const ctx: Context<State>;
 * const answer = await finishOAuthAction(ctx, "github");
 * const status = answer.kind === "redirect" ? 303 : answer.problem.status;
 * new Response(null, { status, headers: oauthHeaders(answer) });
 * ```
 */
export async function finishOAuthAction(
  ctx: Context<State>,
  id: string,
): Promise<OAuthAnswer> {
  const { services } = ctx.state;
  const secure = services.config.secureCookies;
  const cleared = clearFlowCookie(secure);
  const client = services.oauth.get(id);
  const flow = readFlow(ctx.req, secure);
  const context: OAuthProblemContext = {
    provider: client === null ? null : { id: client.id, name: client.name },
    intent: flow?.intent ?? "sign_in",
    next: flow?.intent === "link"
      ? CONNECTIONS_PAGE
      : safeNext(flow?.next ?? null),
  };
  const problem = (
    reason: OAuthProblemReason,
    extra: Partial<OAuthProblemContext> = {},
  ): OAuthAnswer => ({
    kind: "problem",
    problem: oauthProblem(reason, { ...context, ...extra }),
    cookies: [cleared],
  });

  if (client === null) return problem("unknown_provider");
  // Not counted against the `auth` limit: the start was, and a callback
  // reaches the provider only with that start's cookie and unused state
  // (claimed once below), so counting both halves would only halve the
  // sign-ins a shared network (an office) gets.
  const checked = checkCallback(flow, client.id, ctx.url.searchParams);
  if (!checked.ok) return problem(checked.reason);
  // Checked again after the provider (connect), but refused here first:
  // no code is exchanged for a browser that is not the account's.
  if (checked.flow.intent === "link" && !sameAccount(ctx, checked.flow)) {
    return problem("wrong_account");
  }
  if (!(await claimState(services.cache, checked.flow.state))) {
    return problem("state_reused");
  }
  let identity: ProviderIdentity;
  try {
    identity = await client.identify(checked.code, checked.flow);
  } catch (err) {
    if (err instanceof OAuthError) return problem(err.reason);
    throw err;
  }
  const done = checked.flow.intent === "link"
    ? await connect(ctx, client, checked.flow, identity)
    : await signInWith(ctx, identity, context.next);
  if (done.kind === "refused") {
    return problem(done.reason, {
      email: identity.email,
      retryAfterSeconds: done.retryAfterSeconds,
    });
  }
  return { ...done, cookies: [cleared, ...done.cookies] };
}

/** How a known identity's sign-in or connection ended. */
type Done =
  | Extract<OAuthAnswer, { kind: "redirect" }>
  | {
    kind: "refused";
    reason: OAuthProblemReason;
    retryAfterSeconds?: number;
  };

/** The sign-in (or sign-up) of an identity the provider vouched for. */
async function signInWith(
  ctx: Context<State>,
  identity: ProviderIdentity,
  next: string,
): Promise<Done> {
  const { services } = ctx.state;
  if (await wouldCreateAccount(services.db, identity)) {
    const limited = await limitByIp(ctx, "registration");
    if (limited) {
      return {
        kind: "refused",
        reason: "rate_limited",
        retryAfterSeconds: limited.retryAfterSeconds,
      };
    }
  }
  const meta = accountMeta(ctx);
  const resolved = await resolveIdentity(
    accountDeps(services),
    identity,
    meta,
  );
  if (!resolved.ok) return { kind: "refused", reason: resolved.reason };
  const { user } = resolved;
  const pending = user.twoFactorEnabled;
  // As after a password: with two-factor on, the row says a code is still
  // owed, and neither the notice nor the new-device rule counts it yet.
  await audit(services.db, {
    userId: user.id,
    event: "auth.sign_in",
    ip: meta.ip,
    userAgent: meta.userAgent,
    details: pending
      ? { provider: identity.providerName, secondFactor: "pending" }
      : { provider: identity.providerName },
  });
  if (pending) {
    const cookie = await beginSession(ctx, user.id, {
      secondFactorPending: true,
    });
    return {
      kind: "redirect",
      location: secondFactorPage(next),
      cookies: [cookie],
    };
  }
  await noticeIfNewDevice(services.db, services, user, meta);
  return {
    kind: "redirect",
    location: next,
    cookies: [await beginSession(ctx, user.id)],
  };
}

/** Connects the identity to the account that started the flow, if this request is still that account's. */
async function connect(
  ctx: Context<State>,
  client: OAuthClient,
  flow: OAuthFlow,
  identity: ProviderIdentity,
): Promise<Done> {
  const { services, auth } = ctx.state;
  if (auth.kind !== "signed_in" || !sameAccount(ctx, flow)) {
    return { kind: "refused", reason: "wrong_account" };
  }
  const linked = await linkIdentity(
    accountDeps(services),
    auth.user,
    identity,
    accountMeta(ctx),
  );
  const provider = services.oauth.list.indexOf(client);
  const kind = linked.ok
    ? "oauth_connected"
    : linked.reason === "taken"
    ? "oauth_taken"
    : "oauth_already_linked";
  return {
    kind: "redirect",
    location: CONNECTIONS_PAGE,
    cookies: [
      flashCookie({ kind, provider }, services.config.secureCookies),
    ],
  };
}

/** Whether the request is signed in as the account that started this connection. */
function sameAccount(ctx: Context<State>, flow: OAuthFlow): boolean {
  const auth = ctx.state.auth;
  return auth.kind === "signed_in" && flow.userId !== null &&
    auth.user.id === flow.userId;
}

/**
 * Whether resolving this identity would make a new account: not linked
 * yet, and its address (there is one) belongs to no account.
 */
async function wouldCreateAccount(
  db: Db,
  identity: ProviderIdentity,
): Promise<boolean> {
  if (identity.email === null) return false;
  const linked = await getUserByOAuthAccount(
    db,
    identity.provider,
    identity.providerUserId,
  );
  if (linked !== null) return false;
  return (await getUserByEmail(db, identity.email)) === null;
}
