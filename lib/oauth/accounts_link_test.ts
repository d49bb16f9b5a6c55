import { deepStrictEqual, ok, strictEqual } from "node:assert/strict";
import { listAuditForUser } from "../db/audit.ts";
import type { Db } from "../db/db.ts";
import { linkOAuthAccount, listOAuthAccounts } from "../db/oauth_accounts.ts";
import { dbTest } from "../db/testing.ts";
import { createUser, type User } from "../db/users.ts";
import { META } from "../auth/account_testing.ts";
import { queuedMail } from "../auth/mail_testing.ts";
import { failureStatus } from "../web/failure_answer.ts";
import {
  linkIdentity,
  type OAuthAccountDeps,
  sameProvider,
  unlinkIdentity,
} from "./accounts.ts";
import { everyRow, oauthFixture, testIdentity } from "./accounts_testing.ts";

async function withDeps(
  db: Db,
  fn: (deps: OAuthAccountDeps) => Promise<void>,
) {
  const { deps, fixture } = await oauthFixture(db);
  try {
    await fn(deps);
  } finally {
    await fixture.close();
  }
}

const user = (db: Db, name: string, password: boolean): Promise<User> =>
  createUser(db, {
    email: `${name}@example.com`,
    username: name,
    passwordHash: password
      ? "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA"
      : null,
  });

const acme = (sub: string, issuer = "https://id.acme.example") =>
  testIdentity({
    provider: "oidc",
    providerId: "acme",
    providerName: "Acme SSO",
    providerUserId: `${issuer} ${sub}`,
    label: `${sub}@acme.example`,
    login: null,
  });

Deno.test("sameProvider: the same kind and the same issuer or Enterprise host", () => {
  const gh = (id: string) => ({
    provider: "github" as const,
    providerUserId: id,
  });
  ok(sameProvider(gh("1"), gh("2")));
  ok(!sameProvider(gh("1"), gh("https://ghe.example 2")));
  ok(sameProvider(gh("https://ghe.example 1"), gh("https://ghe.example 2")));
  ok(!sameProvider(gh("1"), { provider: "google", providerUserId: "1" }));
  ok(sameProvider(acme("a"), acme("b")));
  ok(!sameProvider(acme("a"), acme("a", "https://other.example")));
  // A sub with a space is still under its issuer.
  ok(sameProvider(acme("a b"), acme("c")));
});

dbTest(
  "linkIdentity: connects, audits and emails the owner; again is a no-op",
  async (db) => {
    await withDeps(db, async (deps) => {
      const ada = await user(db, "ada", true);
      const result = await linkIdentity(deps, ada, testIdentity(), META);
      deepStrictEqual(result, { ok: true, linked: true });
      const [link] = await listOAuthAccounts(db, ada.id);
      deepStrictEqual([link.providerUserId, link.label], ["583231", "octocat"]);
      const [event] = await listAuditForUser(db, ada.id);
      strictEqual(event.event, "oauth.linked");
      deepStrictEqual(event.details, {
        provider: "GitHub",
        providerId: "github",
        label: "octocat",
        via: "settings",
      });
      const [mail] = await queuedMail(db);
      strictEqual(mail.kind, "security_oauth_linked");
      strictEqual(mail.to, "ada@example.com");
      ok(
        mail.text.includes("Your GitHub account (octocat) was connected"),
        mail.text,
      );
      ok(mail.text.includes("in settings"), mail.text);
      ok(mail.text.includes(META.ip), "the address it came from");

      const before = await everyRow(db);
      deepStrictEqual(await linkIdentity(deps, ada, testIdentity(), META), {
        ok: true,
        linked: false,
      });
      deepStrictEqual(await everyRow(db), before);
    });
  },
);

dbTest(
  "linkIdentity: another account's identity is taken, a second one of the same provider already_connected; nothing written",
  async (db) => {
    await withDeps(db, async (deps) => {
      const ada = await user(db, "ada", true);
      const bob = await user(db, "bob", true);
      await linkOAuthAccount(db, bob.id, "github", "583231");
      await linkOAuthAccount(db, ada.id, "oidc", "https://id.acme.example a");
      const before = await everyRow(db);
      const taken = await linkIdentity(deps, ada, testIdentity(), META);
      ok(!taken.ok);
      strictEqual(taken.reason, "taken");
      strictEqual(failureStatus(taken), 409);
      const again = await linkIdentity(deps, ada, acme("b"), META);
      ok(!again.ok);
      strictEqual(again.reason, "already_connected");
      strictEqual(failureStatus(again), 409);
      ok(again.error.includes("Acme SSO"), again.error);
      deepStrictEqual(await everyRow(db), before);
      // Another issuer is another provider.
      deepStrictEqual(
        await linkIdentity(deps, ada, acme("b", "https://other.example"), META),
        { ok: true, linked: true },
      );
    });
  },
);

dbTest(
  "linkIdentity: two identities of one provider connected at once: one wins, the other is already_connected",
  async (db) => {
    await withDeps(db, async (deps) => {
      for (let round = 0; round < 3; round++) {
        const ada = await user(db, `ada${round}`, true);
        const results = await Promise.all(
          ["1", "2", "3"].map((id) =>
            linkIdentity(
              deps,
              ada,
              testIdentity({ providerUserId: `${round}-${id}` }),
              META,
            )
          ),
        );
        strictEqual(
          results.filter((r) => r.ok).length,
          1,
          JSON.stringify(results),
        );
        ok(results.every((r) => r.ok || r.reason === "already_connected"));
        strictEqual((await listOAuthAccounts(db, ada.id)).length, 1);
      }
    });
  },
);

dbTest(
  "linkIdentity: one identity connected to two accounts at once goes to one of them",
  async (db) => {
    await withDeps(db, async (deps) => {
      const ada = await user(db, "ada", true);
      const bob = await user(db, "bob", true);
      const results = await Promise.all(
        [ada, bob].map((u) => linkIdentity(deps, u, testIdentity(), META)),
      );
      deepStrictEqual(
        results.map((r) => r.ok ? "ok" : r.reason).sort(),
        ["ok", "taken"],
      );
      strictEqual(
        Number((await db.get("SELECT count(*) AS n FROM oauth_accounts"))?.n),
        1,
      );
    });
  },
);

dbTest(
  "unlinkIdentity: disconnects, audits and emails; not theirs is not_found, the last way to sign in last_method, with nothing written",
  async (db) => {
    await withDeps(db, async (deps) => {
      const ada = await user(db, "ada", false);
      const bob = await user(db, "bob", true);
      const gh = await linkOAuthAccount(db, ada.id, "github", "1", {
        label: "octocat",
      });
      const go = await linkOAuthAccount(db, ada.id, "google", "2", {
        label: "ada@gmail.example",
      });
      const bobs = await linkOAuthAccount(db, bob.id, "github", "3");

      const before = await everyRow(db);
      for (const id of [bobs.id, "nope", "0", "9".repeat(30)]) {
        const r = await unlinkIdentity(deps, ada, id, "GitHub", META);
        ok(!r.ok);
        strictEqual(r.reason, "not_found", id);
        strictEqual(failureStatus(r), 404);
      }
      deepStrictEqual(await everyRow(db), before);

      deepStrictEqual(await unlinkIdentity(deps, ada, gh.id, "GitHub", META), {
        ok: true,
      });
      const [event] = await listAuditForUser(db, ada.id);
      strictEqual(event.event, "oauth.unlinked");
      deepStrictEqual(event.details, { provider: "GitHub", label: "octocat" });
      const [mail, ...more] = await queuedMail(db);
      deepStrictEqual(more, []);
      strictEqual(mail.kind, "security_oauth_unlinked");
      strictEqual(mail.to, "ada@example.com");
      ok(
        mail.text.includes("Your GitHub account (octocat) was disconnected"),
        mail.text,
      );

      const beforeLast = await everyRow(db);
      const last = await unlinkIdentity(deps, ada, go.id, "Google", META);
      ok(!last.ok);
      strictEqual(last.reason, "last_method");
      strictEqual(failureStatus(last), 409);
      ok(last.error.startsWith("Set a password first"), last.error);
      ok(last.error.includes("Google"), last.error);
      deepStrictEqual(await everyRow(db), beforeLast);

      // With a password, the last link may go.
      deepStrictEqual(
        await unlinkIdentity(deps, bob, bobs.id, "GitHub", META),
        { ok: true },
      );
      deepStrictEqual(await listOAuthAccounts(db, bob.id), []);
    });
  },
);

dbTest(
  "unlinkIdentity: two racing unlinks of a password-less account's two links leave one",
  async (db) => {
    await withDeps(db, async (deps) => {
      for (let round = 0; round < 3; round++) {
        const ada = await user(db, `ada${round}`, false);
        const a = await linkOAuthAccount(db, ada.id, "github", `${round}-1`);
        const b = await linkOAuthAccount(db, ada.id, "google", `${round}-2`);
        const results = await Promise.all([
          unlinkIdentity(deps, ada, a.id, "GitHub", META),
          unlinkIdentity(deps, ada, b.id, "Google", META),
        ]);
        deepStrictEqual(
          results.map((r) => r.ok ? "ok" : r.reason).sort(),
          ["last_method", "ok"],
        );
        strictEqual((await listOAuthAccounts(db, ada.id)).length, 1);
      }
      strictEqual(
        (await queuedMail(db)).length,
        3,
        "one notice per unlink made",
      );
    });
  },
);
