/**
 * Connecting and disconnecting sign-in provider identities from settings
 * (`linkIdentity`, `unlinkIdentity`), and the one way every link is made
 * (`connectIdentity`: the row, the audit event and the owner's notice),
 * which `resolveIdentity` (`accounts.ts`) uses too.
 *
 * An account connects at most one identity of each provider (one GitHub
 * account, one per OpenID Connect issuer): two would be two people's
 * ways into one account more often than one person's. The check and the
 * insert run under `lockSignInMethods`, as unlinks do, so two connections
 * racing cannot both pass it, and an unlink cannot remove the last way to
 * sign in while another runs.
 *
 * @module
 */
import { audit } from "../db/audit.ts";
import type { Queryable } from "../db/db.ts";
import {
  findOAuthLink,
  type LinkedIdentity,
  linkOAuthAccount,
  listOAuthAccounts,
  lockSignInMethods,
  OAuthAccountTakenError,
  unlinkOAuthAccount,
} from "../db/oauth_accounts.ts";
import type { User } from "../db/users.ts";
import { securityNotice } from "../email/notices.ts";
import { appLink } from "../email/template.ts";
import {
  type AccountDeps,
  type AccountMeta,
  noticeDeps,
  nowOf,
} from "../auth/account_deps.ts";
import { type Failure, failure } from "../auth/outcome.ts";
import type { ProviderIdentity } from "./provider.ts";

/** What the account rules need: the account actions' dependencies (db, mailer, APP_URL, clock). */
export type OAuthAccountDeps = AccountDeps;

/** The settings page that lists connected providers (linked from the emails). */
export const CONNECTIONS_PATH = "/settings/connections";

/**
 * How many times an action runs when a race refused it: races end within
 * a try or two; more would be a bug, better thrown than looped on.
 */
export const RACE_ATTEMPTS = 4;

/**
 * Inside the caller's transaction: links the identity to `user`, records
 * `oauth.linked` (`via` how) and queues the owner's notice. Throws
 * `OAuthAccountTakenError` when the identity is linked already.
 *
 * @example
 * ```ts
 * import type { Queryable } from "../db/db.ts";
 * import type { User } from "../db/users.ts";
 * import type { ProviderIdentity } from "./provider.ts";
 * declare const tx: Queryable;
 * declare const deps: OAuthAccountDeps;
 * declare const user: User;
 * declare const identity: ProviderIdentity;
 * const meta = { ip: "203.0.113.9", userAgent: "Mozilla/5.0", device: "Firefox on Linux" };
 * await connectIdentity(tx, deps, user, identity, meta, "email");
 * ```
 */
export async function connectIdentity(
  tx: Queryable,
  deps: OAuthAccountDeps,
  user: User,
  identity: ProviderIdentity,
  meta: AccountMeta,
  via: "email" | "settings",
): Promise<void> {
  const now = nowOf(deps);
  const link = await linkOAuthAccount(
    tx,
    user.id,
    identity.provider,
    identity.providerUserId,
    { label: identity.label, now },
  );
  await audit(tx, {
    userId: user.id,
    event: "oauth.linked",
    ip: meta.ip,
    userAgent: meta.userAgent,
    details: {
      provider: identity.providerName,
      providerId: identity.providerId,
      label: link.label,
      via,
    },
  }, now);
  await securityNotice(tx, noticeDeps(deps), {
    kind: "oauth_linked",
    user,
    meta,
    at: now,
    provider: { name: identity.providerName, label: link.label },
    extra: [
      via === "email"
        ? `It was connected when someone signed in with it: ${identity.providerName} says it has the same verified email address as your account.`
        : "It was connected in settings, by someone signed in to your account.",
      `You can see and disconnect the accounts you sign in with here: ${
        appLink(noticeDeps(deps).config, CONNECTIONS_PATH)
      }`,
    ],
  });
}

/**
 * The source of identities a stored id comes from: the issuer or GitHub
 * Enterprise origin before the space of `"<source> <id>"`, or "" for
 * github.com and Google, whose ids carry none.
 */
function sourceOf(providerUserId: string): string {
  const space = providerUserId.indexOf(" ");
  return space === -1 ? "" : providerUserId.slice(0, space);
}

/**
 * Whether a stored link came from the same provider as `identity` (the
 * same provider kind and the same issuer or Enterprise host).
 *
 * @example
 * ```ts
 * import type { ProviderIdentity } from "./provider.ts";
 * declare const identity: ProviderIdentity;
 * sameProvider({ provider: "oidc", providerUserId: "https://id.example 42" }, identity);
 * ```
 */
export function sameProvider(
  link: Pick<LinkedIdentity, "provider" | "providerUserId">,
  identity: Pick<ProviderIdentity, "provider" | "providerUserId">,
): boolean {
  return link.provider === identity.provider &&
    sourceOf(link.providerUserId) === sourceOf(identity.providerUserId);
}

/** Outcome of {@linkcode linkIdentity}. */
export type LinkResult =
  | { ok: true; linked: boolean }
  | Failure<"taken" | "already_connected">;

/**
 * Connects an identity to the signed-in `user` (settings). Already theirs
 * → ok, `linked: false`. Another account's → `taken`. The user has
 * another identity of the same provider → `already_connected`. Else
 * linked, audited (`oauth.linked`, via settings) and the owner emailed.
 *
 * @example
 * ```ts
 * import type { User } from "../db/users.ts";
 * import type { ProviderIdentity } from "./provider.ts";
 * declare const deps: OAuthAccountDeps;
 * declare const user: User;
 * declare const identity: ProviderIdentity;
 * const meta = { ip: "203.0.113.9", userAgent: "Mozilla/5.0", device: "Firefox on Linux" };
 * const result = await linkIdentity(deps, user, identity, meta);
 * if (!result.ok) console.log(result.error);
 * ```
 */
export async function linkIdentity(
  deps: OAuthAccountDeps,
  user: User,
  identity: ProviderIdentity,
  meta: AccountMeta,
): Promise<LinkResult> {
  for (let attempt = 1;; attempt++) {
    try {
      return await deps.db.transaction(async (tx): Promise<LinkResult> => {
        // Ordered with other changes of this user's links: two identities
        // of one provider connected at once cannot both pass the check.
        await lockSignInMethods(tx, user.id);
        const found = await findOAuthLink(
          tx,
          identity.provider,
          identity.providerUserId,
        );
        if (found !== null && found.userId === user.id) {
          return { ok: true, linked: false };
        }
        if (found !== null) {
          return failure(
            "taken",
            `This ${identity.providerName} account is already connected to another Islet account. Sign in to that account to use it, or connect a different ${identity.providerName} account.`,
          );
        }
        const links = await listOAuthAccounts(tx, user.id);
        if (links.some((l) => sameProvider(l, identity))) {
          return failure(
            "already_connected",
            `Another ${identity.providerName} account is already connected to your account. Disconnect it first to connect this one instead.`,
          );
        }
        await connectIdentity(tx, deps, user, identity, meta, "settings");
        return { ok: true, linked: true };
      });
    } catch (err) {
      // Another account took this identity meanwhile: the next try says so.
      if (err instanceof OAuthAccountTakenError && attempt < RACE_ATTEMPTS) {
        continue;
      }
      throw err;
    }
  }
}

/**
 * Disconnects link `linkId` of `user`. `not_found` when it is not theirs
 * (or gone, or not an id); `last_method` when the account has no
 * password and this is its only link. Audits `oauth.unlinked` and emails
 * the owner. `providerName` names it in the audit and the email (the
 * caller knows it from the configured clients, or says what it was).
 *
 * @example
 * ```ts
 * import type { User } from "../db/users.ts";
 * declare const deps: OAuthAccountDeps;
 * declare const user: User;
 * const meta = { ip: "203.0.113.9", userAgent: "Mozilla/5.0", device: "Firefox on Linux" };
 * const result = await unlinkIdentity(deps, user, "12", "GitHub", meta);
 * if (!result.ok && result.reason === "last_method") console.log(result.error);
 * ```
 */
export async function unlinkIdentity(
  deps: OAuthAccountDeps,
  user: User,
  linkId: string,
  providerName: string,
  meta: AccountMeta,
): Promise<{ ok: true } | Failure<"not_found" | "last_method">> {
  return await deps.db.transaction(async (tx) => {
    const now = nowOf(deps);
    const outcome = await unlinkOAuthAccount(tx, user.id, linkId);
    if (!outcome.ok && outcome.reason === "not_found") {
      return failure(
        "not_found",
        "This connection was not found: it may have been disconnected already.",
      );
    }
    if (!outcome.ok) {
      return failure(
        "last_method",
        `Set a password first: ${providerName} is the only way to sign in to this account, so disconnecting it would lock you out. Choose a password through "Forgot your password?", then disconnect ${providerName}.`,
      );
    }
    const { label } = outcome.link;
    await audit(tx, {
      userId: user.id,
      event: "oauth.unlinked",
      ip: meta.ip,
      userAgent: meta.userAgent,
      details: { provider: providerName, label },
    }, now);
    await securityNotice(tx, noticeDeps(deps), {
      kind: "oauth_unlinked",
      user,
      meta,
      at: now,
      provider: { name: providerName, label },
      extra: ["It was disconnected in settings."],
    });
    return { ok: true as const };
  });
}
