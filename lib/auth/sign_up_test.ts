import { deepStrictEqual, ok, strictEqual } from "node:assert/strict";
import { listAuditForUser } from "../db/audit.ts";
import { dbTest } from "../db/testing.ts";
import { getPasswordHash, getUserByEmail } from "../db/users.ts";
import { mailDeps, queuedMail, TEST_APP_URL } from "./mail_testing.ts";
import { PASSWORD_CONTAINS_EMAIL_ERROR } from "./password_email.ts";
import { verifyPassword } from "./password.ts";
import { checkInboxMessage, signUp } from "./sign_up.ts";
import { failureStatus } from "../web/failure_answer.ts";

const meta = { ip: "203.0.113.1", userAgent: "test" };
const PASSWORD = "Tulip orbit 7391 quartz!";

dbTest(
  "signUp refuses a password that contains the email, short local parts included",
  async (db) => {
    for (
      const [email, password] of [
        ["bob@example.com", "bob@example.com"],
        ["bob@example.com", "Bob@Example.com 2024"],
        ["alice@example.com", "alice-secret-2024"],
        ["ada.lovelace@example.org", "Ada Lovelace 1815"],
      ]
    ) {
      const result = await signUp(mailDeps(db), { email, password }, meta);
      strictEqual(result.ok, false, `${email} / ${password}`);
      if (!result.ok) {
        strictEqual(failureStatus(result), 400);
        deepStrictEqual(result.details, {
          password: PASSWORD_CONTAINS_EMAIL_ERROR,
        });
      }
    }
    const count = await db.get("SELECT count(*) AS n FROM users");
    strictEqual(count?.n, 0, "nothing was written");
    deepStrictEqual(await queuedMail(db), [], "nothing was sent");
    const fine = await signUp(
      mailDeps(db),
      { email: "bob@example.com", password: "Bobsled orbit 7391" },
      meta,
    );
    ok(fine.ok, "a password that merely starts like the name is fine");
  },
);

dbTest(
  "signUp: a new address gets an unverified account with its password and a verification mail",
  async (db) => {
    const result = await signUp(
      mailDeps(db),
      { email: " Ada@Example.com ", password: PASSWORD },
      meta,
    );
    deepStrictEqual(result, {
      ok: true,
      email: "ada@example.com",
      message: checkInboxMessage("ada@example.com"),
    });
    strictEqual(
      checkInboxMessage("ada@example.com"),
      "Check your inbox at ada@example.com to confirm it.",
    );
    const user = await getUserByEmail(db, "ada@example.com");
    ok(user !== null);
    strictEqual(user.emailVerifiedAt, null, "not verified yet");
    ok(await verifyPassword((await getPasswordHash(db, user.id))!, PASSWORD));

    const [mail, ...more] = await queuedMail(db);
    deepStrictEqual(more, []);
    strictEqual(mail.to, "ada@example.com");
    strictEqual(mail.kind, "verify_email");
    strictEqual(mail.subject, "Confirm your email address");
    strictEqual(mail.links.length, 1, mail.text);
    const link = new URL(mail.links[0]);
    strictEqual(link.origin + link.pathname, `${TEST_APP_URL}/verify-email`);
    ok(/^[A-Za-z0-9_-]{43}$/.test(link.searchParams.get("token") ?? ""));
    ok(mail.html.includes(mail.links[0].replaceAll("&", "&amp;")));

    const events = (await listAuditForUser(db, user.id)).map((e) => e.event);
    deepStrictEqual(events.sort(), ["auth.sign_up", "auth.verification_sent"]);
    const tokens = await db.all(
      "SELECT user_id, email FROM email_verification_tokens",
    );
    deepStrictEqual(tokens.map((t) => [t.user_id, t.email]), [[
      user.id,
      "ada@example.com",
    ]]);
  },
);

dbTest(
  "signUp: an address with an account gets the same answer, no change, and a mail to its owner",
  async (db) => {
    const deps = mailDeps(db);
    const first = await signUp(
      deps,
      { email: "ada@example.com", password: PASSWORD },
      meta,
    );
    const owner = (await getUserByEmail(db, "ada@example.com"))!;
    const hashBefore = await getPasswordHash(db, owner.id);
    await db.run("DELETE FROM email_outbox");

    const again = await signUp(
      deps,
      { email: "ADA@example.com", password: "Another password 5512" },
      { ip: "198.51.100.7", userAgent: "curl/8" },
    );
    deepStrictEqual(again, first, "the very same answer");

    strictEqual(
      (await db.get<{ n: number }>("SELECT count(*) AS n FROM users"))?.n,
      1,
    );
    const after = (await getUserByEmail(db, "ada@example.com"))!;
    deepStrictEqual(after, owner, "the account is unchanged");
    strictEqual(await getPasswordHash(db, owner.id), hashBefore);
    strictEqual(
      (await db.all("SELECT 1 FROM email_verification_tokens")).length,
      1,
      "no new verification token",
    );

    const [mail, ...more] = await queuedMail(db);
    deepStrictEqual(more, []);
    strictEqual(mail.to, "ada@example.com");
    strictEqual(mail.kind, "sign_up_existing");
    strictEqual(
      mail.subject,
      "Someone tried to sign up with your email address",
    );
    deepStrictEqual(mail.links, [
      `${TEST_APP_URL}/login`,
      `${TEST_APP_URL}/forgot-password`,
    ]);
    ok(!mail.text.includes("Another password"), "no password in the mail");

    const [latest] = await listAuditForUser(db, owner.id);
    strictEqual(latest.event, "auth.sign_up_existing");
    strictEqual(latest.ip, "198.51.100.7");
    strictEqual(latest.userAgent, "curl/8");
  },
);

dbTest(
  "signUp: two sign-ups of one new address at once make one account, one verification and one owner mail",
  async (db) => {
    const deps = mailDeps(db);
    const results = await Promise.all(
      [1, 2].map(() =>
        signUp(deps, { email: "grace@example.com", password: PASSWORD }, meta)
      ),
    );
    deepStrictEqual(results[0], results[1]);
    ok(results[0].ok);
    strictEqual(
      (await db.get<{ n: number }>("SELECT count(*) AS n FROM users"))?.n,
      1,
    );
    deepStrictEqual(
      (await queuedMail(db)).map((m) => m.kind).sort(),
      ["sign_up_existing", "verify_email"],
    );
  },
);
