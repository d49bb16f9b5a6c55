import { deepStrictEqual, ok, strictEqual } from "node:assert/strict";
import { listAuditForUser } from "../db/audit.ts";
import { listOAuthAccounts } from "../db/oauth_accounts.ts";
import { dbTest } from "../db/testing.ts";
import { getUserById } from "../db/users.ts";
import { accountFixture, META, NEW_PASSWORD } from "../auth/account_testing.ts";
import { requestPasswordReset, resetPassword } from "../auth/password_reset.ts";
import { describeEvent } from "../account/activity_words.ts";
import { resolveIdentity } from "./accounts.ts";
import { testIdentity } from "./accounts_testing.ts";

dbTest(
  "pre-hijack through an unverified provider address: the address owner's password reset takes the account back from the provider identity",
  async (db) => {
    const f = await accountFixture(db);
    try {
      // The intruder signs up through a provider that does not check
      // addresses, with the victim's.
      const intruder = testIdentity({
        providerUserId: "intruder-1",
        label: "intruder",
        email: "victim@example.com",
        emailVerified: false,
      });
      const made = await resolveIdentity(f.deps, intruder, META);
      ok(made.ok && made.created);
      strictEqual(made.user.emailVerifiedAt, null);

      // The victim "recovers" the account they think they forgot.
      await requestPasswordReset(f.deps, { email: "victim@example.com" }, META);
      const token = await f.tokenIn("password_reset", "victim@example.com");
      const reset = await resetPassword(f.deps, {
        token,
        password: NEW_PASSWORD,
      }, META);
      ok(reset.ok);
      deepStrictEqual(await listOAuthAccounts(db, made.user.id), []);
      ok((await getUserById(db, made.user.id))?.emailVerifiedAt !== null);

      // The intruder's identity no longer reaches it, and links nothing.
      const again = await resolveIdentity(f.deps, intruder, META);
      strictEqual(!again.ok && again.reason, "email_taken");
      deepStrictEqual(await listOAuthAccounts(db, made.user.id), []);

      const [latest, unlinked] = await listAuditForUser(db, made.user.id);
      strictEqual(latest.event, "auth.password_reset");
      strictEqual(unlinked.event, "oauth.unlinked");
      deepStrictEqual(unlinked.details, {
        label: "intruder",
        reason: "password_reset_unverified",
      });
      strictEqual(
        describeEvent(unlinked),
        "A sign-in provider account (intruder) was disconnected when the password was reset, as the address had not been confirmed before.",
      );
      const notice = (await f.mails()).at(-1)!;
      strictEqual(notice.kind, "security_password_changed");
      ok(notice.text.includes("were disconnected"), notice.text);
    } finally {
      await f.close();
    }
  },
);

dbTest(
  "a password reset of an account with a confirmed address keeps its provider links",
  async (db) => {
    const f = await accountFixture(db);
    try {
      const made = await resolveIdentity(f.deps, testIdentity(), META);
      ok(made.ok && made.user.emailVerifiedAt !== null);
      await requestPasswordReset(f.deps, { email: "ada@example.com" }, META);
      const token = await f.tokenIn("password_reset", "ada@example.com");
      ok(
        (await resetPassword(f.deps, { token, password: NEW_PASSWORD }, META))
          .ok,
      );
      strictEqual((await listOAuthAccounts(db, made.user.id)).length, 1);
      ok(!(await f.mails()).at(-1)!.text.includes("were disconnected"));
      // And the account, made through the provider, now has a password too.
      strictEqual((await getUserById(db, made.user.id))?.hasPassword, true);
    } finally {
      await f.close();
    }
  },
);
