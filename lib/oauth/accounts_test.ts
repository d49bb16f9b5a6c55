import { deepStrictEqual, ok, rejects, strictEqual } from "node:assert/strict";
import { listAuditForUser } from "../db/audit.ts";
import type { Db } from "../db/db.ts";
import { listOAuthAccounts } from "../db/oauth_accounts.ts";
import { dbTest } from "../db/testing.ts";
import {
  createUser,
  getPasswordHash,
  getUserByEmail,
  markEmailVerified,
} from "../db/users.ts";
import { META } from "../auth/account_testing.ts";
import { queuedMail } from "../auth/mail_testing.ts";
import { failureStatus } from "../web/failure_answer.ts";
import { resolveIdentity } from "./accounts.ts";
import {
  everyRow,
  lyingOnce,
  oauthFixture,
  testIdentity,
} from "./accounts_testing.ts";

const count = async (db: Db, table: string) =>
  Number((await db.get(`SELECT count(*) AS n FROM ${table}`))?.n);

/** Runs `fn` with the rules' deps over `db`. */
async function withDeps(
  db: Db,
  fn: (deps: Awaited<ReturnType<typeof oauthFixture>>["deps"]) => Promise<void>,
) {
  const { deps, fixture } = await oauthFixture(db);
  try {
    await fn(deps);
  } finally {
    await fixture.close();
  }
}

/** An account with a password, its address verified or not. */
async function account(db: Db, email: string, verified: boolean) {
  const user = await createUser(db, {
    email,
    username: email.split("@")[0],
    passwordHash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA",
  });
  if (verified) await markEmailVerified(db, user.id);
  return (await getUserByEmail(db, email))!;
}

dbTest(
  "resolveIdentity: a new identity with a verified address makes a verified account without a password, and signs in to it again",
  async (db) => {
    await withDeps(db, async (deps) => {
      const result = await resolveIdentity(deps, testIdentity(), META);
      ok(result.ok);
      strictEqual(result.created, true);
      strictEqual(result.linked, false);
      const user = result.user;
      strictEqual(user.email, "ada@example.com");
      strictEqual(user.username, "octocat");
      strictEqual(
        user.emailVerifiedAt,
        deps.now!(),
        "verified by the provider",
      );
      strictEqual(user.hasPassword, false);
      strictEqual(await getPasswordHash(db, user.id), null);
      const [link, ...more] = await listOAuthAccounts(db, user.id);
      deepStrictEqual(more, []);
      deepStrictEqual(
        [link.provider, link.providerUserId, link.label],
        ["github", "583231", "octocat"],
      );
      const [event] = await listAuditForUser(db, user.id);
      strictEqual(event.event, "auth.sign_up");
      deepStrictEqual(event.details, {
        provider: "GitHub",
        providerId: "github",
      });
      strictEqual(event.ip, META.ip);
      deepStrictEqual(
        await queuedMail(db),
        [],
        "a verified address needs no mail",
      );

      const before = await everyRow(db);
      const again = await resolveIdentity(
        deps,
        testIdentity({ login: "other" }),
        META,
      );
      deepStrictEqual(again, { ok: true, user, created: false, linked: false });
      deepStrictEqual(
        await everyRow(db),
        before,
        "signing in again writes nothing here",
      );
    });
  },
);

dbTest(
  "resolveIdentity: an unverified address makes an unverified account that is sent the verification email",
  async (db) => {
    await withDeps(db, async (deps) => {
      const result = await resolveIdentity(
        deps,
        testIdentity({
          emailVerified: false,
          email: "Grace@Example.com",
          login: null,
          name: "Grace Hopper",
        }),
        META,
      );
      ok(result.ok && result.created);
      strictEqual(result.user.email, "grace@example.com");
      strictEqual(result.user.username, "grace-hopper");
      strictEqual(result.user.emailVerifiedAt, null);
      const [mail, ...more] = await queuedMail(db);
      deepStrictEqual(more, []);
      strictEqual(mail.kind, "verify_email");
      strictEqual(mail.to, "grace@example.com");
      deepStrictEqual(
        (await listAuditForUser(db, result.user.id)).map((e) => e.event).sort(),
        ["auth.sign_up", "auth.verification_sent"],
      );
      strictEqual(await count(db, "email_verification_tokens"), 1);
    });
  },
);

dbTest(
  "resolveIdentity: no usable address is no_email, and nothing is written",
  async (db) => {
    await withDeps(db, async (deps) => {
      const before = await everyRow(db);
      for (
        const email of [
          null,
          "",
          "not-an-address",
          "a@b",
          "x".repeat(300) + "@example.com",
        ]
      ) {
        const result = await resolveIdentity(
          deps,
          testIdentity({ email }),
          META,
        );
        ok(!result.ok, String(email));
        strictEqual(result.reason, "no_email");
        strictEqual(failureStatus(result), 400);
        ok(result.error.includes("GitHub"), result.error);
      }
      deepStrictEqual(await everyRow(db), before);
    });
  },
);

dbTest(
  "resolveIdentity (pre-hijack defence): an address match links only when the provider AND the account verified it; otherwise nothing at all is written",
  async (db) => {
    await withDeps(db, async (deps) => {
      let n = 0;
      for (const accountVerified of [false, true]) {
        for (const providerVerified of [false, true]) {
          if (accountVerified && providerVerified) continue;
          const email = `victim${n++}@example.com`;
          const owner = await account(db, email, accountVerified);
          const before = await everyRow(db);
          const result = await resolveIdentity(
            deps,
            testIdentity({
              email: email.toUpperCase(),
              emailVerified: providerVerified,
              providerUserId: `attacker-${n}`,
            }),
            META,
          );
          const label = JSON.stringify({ accountVerified, providerVerified });
          ok(!result.ok, label);
          strictEqual(result.reason, "email_taken", label);
          strictEqual(failureStatus(result), 409);
          ok(result.error.includes(email), result.error);
          ok(result.error.includes("Connected accounts"), result.error);
          deepStrictEqual(await everyRow(db), before, label);
          deepStrictEqual(await listOAuthAccounts(db, owner.id), [], label);
        }
      }
    });
  },
);

dbTest(
  "resolveIdentity: a verified address on both sides links the identity to the account and emails its owner",
  async (db) => {
    await withDeps(db, async (deps) => {
      const owner = await account(db, "ada@example.com", true);
      const result = await resolveIdentity(
        deps,
        testIdentity({ email: "ADA@example.com" }),
        META,
      );
      deepStrictEqual(result, {
        ok: true,
        user: owner,
        created: false,
        linked: true,
      });
      strictEqual(await count(db, "users"), 1);
      deepStrictEqual(
        (await listOAuthAccounts(db, owner.id)).map((l) => l.label),
        ["octocat"],
      );
      const [event] = await listAuditForUser(db, owner.id);
      strictEqual(event.event, "oauth.linked");
      deepStrictEqual(event.details, {
        provider: "GitHub",
        providerId: "github",
        label: "octocat",
        via: "email",
      });
      const [mail, ...more] = await queuedMail(db);
      deepStrictEqual(more, []);
      strictEqual(mail.to, "ada@example.com");
      strictEqual(mail.kind, "security_oauth_linked");
      strictEqual(
        mail.subject,
        "A sign-in provider was connected to your Islet account",
      );
      ok(
        mail.text.includes("Your GitHub account (octocat) was connected"),
        mail.text,
      );
      ok(mail.text.includes("same verified email address"), mail.text);
      ok(
        mail.links.some((l) => l.endsWith("/settings/connections")),
        mail.links.join(),
      );
      ok(mail.links.some((l) => l.includes("/account/not-me?token=")));

      const again = await resolveIdentity(deps, testIdentity(), META);
      deepStrictEqual(again, {
        ok: true,
        user: owner,
        created: false,
        linked: false,
      });
      strictEqual((await queuedMail(db)).length, 1, "told once");
    });
  },
);

dbTest(
  "resolveIdentity: a mail that cannot be queued leaves no account, link or audit row",
  async (db) => {
    await withDeps(db, async (deps) => {
      await account(db, "ada@example.com", true);
      const before = await everyRow(db);
      const broken = {
        ...deps,
        mailer: { send: () => Promise.reject(new Error("outbox down (test)")) },
      };
      await rejects(
        resolveIdentity(broken, testIdentity(), META),
        /outbox down/,
      );
      await rejects(
        resolveIdentity(
          broken,
          testIdentity({
            email: "new@example.com",
            emailVerified: false,
            providerUserId: "2",
          }),
          META,
        ),
        /outbox down/,
      );
      deepStrictEqual(await everyRow(db), before);
    });
  },
);

dbTest(
  "resolveIdentity: the same new identity resolved twice at once makes one account with one link",
  async (db) => {
    await withDeps(db, async (deps) => {
      for (const emailVerified of [true, false]) {
        const id = testIdentity({
          providerUserId: `race-${emailVerified}`,
          email: `race-${emailVerified}@example.com`,
          emailVerified,
        });
        const results = await Promise.all(
          [1, 2, 3].map(() => resolveIdentity(deps, id, META)),
        );
        const ids = new Set(results.map((r) => r.ok ? r.user.id : r.reason));
        strictEqual(ids.size, 1, JSON.stringify(results));
        strictEqual(results.filter((r) => r.ok && r.created).length, 1);
        const userId = [...ids][0];
        strictEqual((await listOAuthAccounts(db, userId)).length, 1);
      }
      strictEqual(await count(db, "users"), 2);
      const mails = await queuedMail(db);
      deepStrictEqual(mails.map((m) => [m.kind, m.to]), [[
        "verify_email",
        "race-false@example.com",
      ]]);
    });
  },
);

dbTest(
  "resolveIdentity: a username taken between the check and the insert is picked again",
  async (db) => {
    await withDeps(db, async (deps) => {
      await account(db, "octocat@example.org", true); // username "octocat"
      const liar = lyingOnce(db, /WHERE (lower\()?username/);
      const result = await resolveIdentity(
        { ...deps, db: liar },
        testIdentity(),
        META,
      );
      strictEqual(liar.lies(), 1, "the check said free");
      ok(result.ok && result.created);
      ok(
        /^octocat-[0-9a-f]{6}$/.test(result.user.username),
        result.user.username,
      );
      strictEqual(await count(db, "users"), 2);
    });
  },
);

dbTest(
  "resolveIdentity: an address taken between the check and the insert is then the existing account, with its rules",
  async (db) => {
    await withDeps(db, async (deps) => {
      await account(db, "ada@example.com", true);
      await account(db, "bob@example.com", false);
      const email = /FROM users WHERE email = \?/;
      // Verified on both sides: linked, as if the account had been seen.
      const linked = lyingOnce(db, email);
      const one = await resolveIdentity(
        { ...deps, db: linked },
        testIdentity(),
        META,
      );
      strictEqual(linked.lies(), 1);
      ok(one.ok && one.linked && !one.created);
      strictEqual(one.user.email, "ada@example.com");
      // Unverified account: refused, nothing written.
      const before = await everyRow(db);
      const refused = lyingOnce(db, email);
      const two = await resolveIdentity(
        { ...deps, db: refused },
        testIdentity({ email: "bob@example.com", providerUserId: "bob-1" }),
        META,
      );
      strictEqual(refused.lies(), 1);
      strictEqual(!two.ok && two.reason, "email_taken");
      deepStrictEqual(await everyRow(db), before);
      strictEqual(await count(db, "users"), 2);
    });
  },
);
