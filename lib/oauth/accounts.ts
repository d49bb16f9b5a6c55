/**
 * The account rules of signing in through a provider: which Islet account
 * a {@linkcode ProviderIdentity} is, and connecting and disconnecting
 * identities from settings. No HTTP here: the web layer starts sessions
 * (and asks for the second factor), applies rate limits and words pages.
 *
 * The pre-hijack defence is {@linkcode resolveIdentity}'s: an identity is
 * joined to an existing account by email only when the provider says the
 * address is verified AND the account's own address is verified. Without
 * the first, anyone could type a victim's address at a provider that does
 * not check it and walk into the account; without the second, an attacker
 * who signed up first with the victim's address (never confirming it)
 * would have the victim's later provider sign-in land in an account the
 * attacker also holds the password of. Any other match writes nothing and
 * asks the person to sign in to the account first and connect the
 * provider from settings, where being signed in is the proof.
 *
 * Every action runs in one transaction, so a refusal or a crash leaves no
 * row behind, and mail is queued in it (`mailer.send(tx, …)`). Races are
 * settled by the unique constraints and a retry: the same new identity
 * resolved twice at once makes one account (the second attempt finds the
 * first's link), a username or an address taken between the check and
 * the insert is picked again or handled as the existing account it now is.
 *
 * @module
 */
import { audit } from "../db/audit.ts";
import {
  findOAuthLink,
  getUserByOAuthAccount,
  type LinkedIdentity,
  linkOAuthAccount,
  listOAuthAccounts,
  lockSignInMethods,
  OAuthAccountTakenError,
  unlinkOAuthAccount,
} from "../db/oauth_accounts.ts";
import type { Queryable } from "../db/db.ts";
import {
  createUser,
  DuplicateUserError,
  getUserByEmail,
  type User,
} from "../db/users.ts";
import { securityNotice } from "../email/notices.ts";
import { appLink } from "../email/template.ts";
import {
  type AccountDeps,
  type AccountMeta,
  noticeDeps,
  nowOf,
} from "../auth/account_deps.ts";
import { validateEmail } from "../auth/email_address.ts";
import { type Failure, failure } from "../auth/outcome.ts";
import { freeIdentityUsername } from "../auth/username.ts";
import { sendVerification } from "../auth/verify_email.ts";
import type { ProviderIdentity } from "./provider.ts";

export type { LinkedIdentity };
export { listOAuthAccounts };

/** What the account rules need: the account actions' dependencies (db, mailer, APP_URL, clock). */
export type OAuthAccountDeps = AccountDeps;

/** The settings page that lists connected providers (linked from the emails). */
export const CONNECTIONS_PATH = "/settings/connections";

// Races end within a try or two; more would be a bug, better thrown.
const ATTEMPTS = 4;

/** Outcome of {@linkcode resolveIdentity}. */
export type ResolveResult =
  | { ok: true; user: User; created: boolean; linked: boolean }
  | Failure<"no_email" | "email_taken">;

/**
 * The account an identity signs in to (or makes): its linked account;
 * else, with no usable email, `no_email`; else the account with that
 * address, linked (its owner emailed) only when both the provider's and
 * the account's address are verified, otherwise `email_taken` with
 * nothing written; else a new account with no password, the provider's
 * address (verified only if the provider says so; an unverified one gets
 * the verification email) and a username from the identity. Audits
 * `auth.sign_up` / `oauth.linked`; does not start a session nor audit the
 * sign-in (the web layer does, with the second factor).
 *
 * @example
 * ```ts
 * import type { ProviderIdentity } from "./provider.ts";
 * declare const deps: OAuthAccountDeps;
 * declare const identity: ProviderIdentity;
 * const meta = { ip: "203.0.113.9", userAgent: "Mozilla/5.0", device: "Firefox on Linux" };
 * const result = await resolveIdentity(deps, identity, meta);
 * if (result.ok && result.created) console.log(`welcome, ${result.user.username}`);
 * ```
 */
export async function resolveIdentity(
  deps: OAuthAccountDeps,
  identity: ProviderIdentity,
  meta: AccountMeta,
): Promise<ResolveResult> {
  for (let attempt = 1;; attempt++) {
    try {
      return await deps.db.transaction((tx) =>
        resolveOnce(tx, deps, identity, meta)
      );
    } catch (err) {
      const raced = err instanceof DuplicateUserError ||
        err instanceof OAuthAccountTakenError;
      if (raced && attempt < ATTEMPTS) continue;
      throw err;
    }
  }
}

async function resolveOnce(
  tx: Queryable,
  deps: OAuthAccountDeps,
  identity: ProviderIdentity,
  meta: AccountMeta,
): Promise<ResolveResult> {
  const now = nowOf(deps);
  const known = await getUserByOAuthAccount(
    tx,
    identity.provider,
    identity.providerUserId,
  );
  if (known !== null) {
    return { ok: true, user: known, created: false, linked: false };
  }
  const email = validateEmail(identity.email ?? "");
  if (identity.email === null || !email.ok) {
    return failure(
      "no_email",
      `${identity.providerName} did not give an email address we can use, so no account can be made from it. Add a verified email address there and try again, or sign up with an email and password.`,
    );
  }
  const existing = await getUserByEmail(tx, email.value);
  if (existing !== null) {
    if (!identity.emailVerified || existing.emailVerifiedAt === null) {
      return failure(
        "email_taken",
        `An Islet account already uses ${email.value}. Sign in to it with its password first, then connect ${identity.providerName} in Settings → Connected accounts.`,
      );
    }
    await lockSignInMethods(tx, existing.id);
    await connect(tx, deps, existing, identity, meta, "email");
    return { ok: true, user: existing, created: false, linked: true };
  }
  const user = await createUser(tx, {
    email: email.value,
    username: await freeIdentityUsername(tx, identity),
    emailVerifiedAt: identity.emailVerified ? now : null,
  }, now);
  await linkOAuthAccount(
    tx,
    user.id,
    identity.provider,
    identity.providerUserId,
    { label: identity.label, now },
  );
  await audit(tx, {
    userId: user.id,
    event: "auth.sign_up",
    ip: meta.ip,
    userAgent: meta.userAgent,
    details: {
      provider: identity.providerName,
      providerId: identity.providerId,
    },
  }, now);
  if (!identity.emailVerified) {
    await sendVerification(tx, noticeDeps(deps), user, "sign_up", meta);
  }
  return { ok: true, user, created: true, linked: false };
}

// Links the identity to `user`, records it and tells the owner, through tx.
async function connect(
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
        await connect(tx, deps, user, identity, meta, "settings");
        return { ok: true, linked: true };
      });
    } catch (err) {
      // Another account took this identity meanwhile: the next try says so.
      if (err instanceof OAuthAccountTakenError && attempt < ATTEMPTS) continue;
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
