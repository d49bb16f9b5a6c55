/**
 * The account rules of signing in through a provider: which Islet account
 * a {@linkcode ProviderIdentity} is (here), and connecting and
 * disconnecting identities from settings (`accounts_link.ts`, re-exported
 * here). No HTTP here: the web layer starts sessions
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
import type { Queryable } from "../db/db.ts";
import {
  getUserByOAuthAccount,
  type LinkedIdentity,
  linkOAuthAccount,
  listOAuthAccounts,
  lockSignInMethods,
  OAuthAccountTakenError,
} from "../db/oauth_accounts.ts";
import {
  createUser,
  DuplicateUserError,
  getUserByEmail,
  type User,
} from "../db/users.ts";
import { type AccountMeta, noticeDeps, nowOf } from "../auth/account_deps.ts";
import { validateEmail } from "../auth/email_address.ts";
import { type Failure, failure } from "../auth/outcome.ts";
import { freeIdentityUsername } from "../auth/username.ts";
import { sendVerification } from "../auth/verify_email.ts";
import {
  connectIdentity,
  type OAuthAccountDeps,
  RACE_ATTEMPTS,
} from "./accounts_link.ts";
import type { ProviderIdentity } from "./provider.ts";

export type { LinkedIdentity };
export { listOAuthAccounts };
export {
  connectIdentity,
  CONNECTIONS_PATH,
  linkIdentity,
  type LinkResult,
  type OAuthAccountDeps,
  sameProvider,
  unlinkIdentity,
} from "./accounts_link.ts";

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
      // Another request took the address, the username or this identity
      // after this one looked: the next try sees what it wrote.
      const raced = err instanceof DuplicateUserError ||
        err instanceof OAuthAccountTakenError;
      if (raced && attempt < RACE_ATTEMPTS) continue;
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
  // The provider's address is input like any other: one that breaks the
  // sign-up rules makes no account.
  const email = validateEmail(identity.email ?? "");
  if (!email.ok) {
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
        `An Islet account already uses ${email.value}. Sign in to that account first (with its password, or the way you usually sign in), then connect ${identity.providerName} in Settings → Connected accounts.`,
      );
    }
    // As every change of an account's links: ordered with unlinks.
    await lockSignInMethods(tx, existing.id);
    await connectIdentity(tx, deps, existing, identity, meta, "email");
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
