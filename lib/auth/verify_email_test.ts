import { deepStrictEqual, ok, strictEqual } from "node:assert/strict";
import type { Db } from "../db/db.ts";
import { listAuditForUser } from "../db/audit.ts";
import { dbTest } from "../db/testing.ts";
import { createUser, getUserById, type User } from "../db/users.ts";
import { mailDeps, queuedMail } from "./mail_testing.ts";
import {
  resendVerification,
  sendVerification,
  VERIFY_REFUSALS,
  verifyEmail,
} from "./verify_email.ts";

const meta = { ip: "203.0.113.5", userAgent: "test" };

async function newUser(db: Db, name: string): Promise<User> {
  return await createUser(db, {
    email: `${name}@example.com`,
    username: name,
  });
}

/** Sends a verification mail and returns the token its link carries. */
async function sendAndRead(db: Db, user: User): Promise<string> {
  await db.transaction((tx) =>
    sendVerification(tx, mailDeps(db), user, "sign_up", meta)
  );
  const mails = await queuedMail(db);
  const link = new URL(mails.at(-1)!.links[0]);
  return link.searchParams.get("token")!;
}

async function counts(db: Db) {
  const n = async (sql: string) =>
    Number((await db.get<{ n: number }>(sql))?.n);
  return {
    tokens: await n("SELECT count(*) AS n FROM email_verification_tokens"),
    verified: await n(
      "SELECT count(*) AS n FROM users WHERE email_verified_at IS NOT NULL",
    ),
    audit: await n("SELECT count(*) AS n FROM audit_log"),
  };
}

dbTest(
  "verifyEmail: the mailed token verifies its account once; every link of it stops working",
  async (db) => {
    const ada = await newUser(db, "ada");
    const older = await sendAndRead(db, ada);
    const token = await sendAndRead(db, ada);
    strictEqual((await counts(db)).tokens, 2);

    const result = await verifyEmail(db, token, {
      signedInUserId: undefined,
      meta,
    });
    deepStrictEqual(result, {
      ok: true,
      userId: ada.id,
      email: "ada@example.com",
    });
    ok((await getUserById(db, ada.id))!.emailVerifiedAt !== null);
    strictEqual((await counts(db)).tokens, 0, "the other link is ended too");
    const [latest] = await listAuditForUser(db, ada.id);
    strictEqual(latest.event, "auth.email_verified");
    strictEqual(latest.ip, meta.ip);

    const before = await counts(db);
    for (const again of [token, older]) {
      const second = await verifyEmail(db, again, {
        signedInUserId: ada.id,
        meta,
      });
      deepStrictEqual(second, {
        ok: false,
        reason: "invalid",
        error: VERIFY_REFUSALS.unknown,
      });
    }
    deepStrictEqual(await counts(db), before, "refusals write nothing");
  },
);

dbTest(
  "verifyEmail refuses expired, tampered, malformed, another account's and stale-address tokens, writing nothing",
  async (db) => {
    const ada = await newUser(db, "ada");
    const bob = await newUser(db, "bob");
    const token = await sendAndRead(db, ada);
    const refuse = async (
      value: unknown,
      signedInUserId: string | undefined,
      why: keyof typeof VERIFY_REFUSALS,
    ) => {
      const before = await counts(db);
      const result = await verifyEmail(db, value, { signedInUserId, meta });
      deepStrictEqual(result, {
        ok: false,
        reason: "invalid",
        error: VERIFY_REFUSALS[why],
      }, `${String(value)}: ${why}`);
      deepStrictEqual(await counts(db), before, `${why} writes nothing`);
    };

    const flip = (c: string) => c === "A" ? "B" : "A";
    await refuse(flip(token[0]) + token.slice(1), undefined, "unknown");
    await refuse(
      token.slice(0, -1) + flip(token.at(-1)!),
      undefined,
      "unknown",
    );
    await refuse(token.slice(0, 20), undefined, "unknown");
    await refuse(undefined, undefined, "unknown");
    await refuse({ token }, undefined, "unknown");
    await refuse(token, bob.id, "other_account");

    // The address changed since the link was sent (an email change).
    await db.run("UPDATE users SET email = ? WHERE id = ?", [
      "ada.new@example.com",
      ada.id,
    ]);
    await refuse(token, ada.id, "stale_address");
    await db.run("UPDATE users SET email = ? WHERE id = ?", [
      "ada@example.com",
      ada.id,
    ]);

    // 24 hours after it was sent.
    await db.run(
      "UPDATE email_verification_tokens SET expires_at = ? WHERE user_id = ?",
      [Date.now() - 1, ada.id],
    );
    await refuse(token, ada.id, "expired");
    strictEqual((await getUserById(db, ada.id))!.emailVerifiedAt, null);
    strictEqual((await getUserById(db, bob.id))!.emailVerifiedAt, null);
  },
);

dbTest(
  "verifyEmail: a link issued 24 hours ago to the minute still has under a minute; the stored expiry is 24 hours",
  async (db) => {
    const ada = await newUser(db, "ada");
    const t0 = Date.now();
    await sendAndRead(db, ada);
    const row = await db.get(
      "SELECT created_at, expires_at FROM email_verification_tokens",
    );
    strictEqual(Number(row!.expires_at) - Number(row!.created_at), 86_400_000);
    ok(Number(row!.created_at) >= t0);
  },
);

dbTest(
  "sendVerification in a transaction that rolls back stores no token and queues no mail",
  async (db) => {
    const ada = await newUser(db, "ada");
    await db.transaction(async (tx) => {
      await sendVerification(tx, mailDeps(db), ada, "email_change", meta);
      throw new Error("the email change failed");
    }).catch(() => {});
    strictEqual((await counts(db)).tokens, 0);
    deepStrictEqual(await queuedMail(db), []);
  },
);

dbTest(
  "resendVerification: limited per account, nothing for a verified address",
  async (db) => {
    const ada = await newUser(db, "ada");
    let calls = 0;
    let wait = 0;
    const limiter = (userId: string) => {
      strictEqual(userId, ada.id);
      calls++;
      return Promise.resolve(wait);
    };
    const sent = await resendVerification(
      db,
      mailDeps(db),
      limiter,
      ada,
      meta,
    );
    deepStrictEqual(sent, {
      ok: true,
      email: "ada@example.com",
      alreadyVerified: false,
    });
    strictEqual((await queuedMail(db)).length, 1);
    const [event] = await listAuditForUser(db, ada.id);
    deepStrictEqual([event.event, event.details], [
      "auth.verification_sent",
      { reason: "resend" },
    ]);

    wait = 42;
    const limited = await resendVerification(
      db,
      mailDeps(db),
      limiter,
      ada,
      meta,
    );
    ok(!limited.ok);
    strictEqual(limited.reason, "rate_limited");
    strictEqual(limited.retryAfterSeconds, 42);
    strictEqual((await queuedMail(db)).length, 1, "nothing more sent");

    await db.run("UPDATE users SET email_verified_at = 1 WHERE id = ?", [
      ada.id,
    ]);
    const callsBefore = calls;
    deepStrictEqual(
      await resendVerification(db, mailDeps(db), limiter, ada, meta),
      { ok: true, email: "ada@example.com", alreadyVerified: true },
    );
    strictEqual(calls, callsBefore, "not counted");
    strictEqual((await queuedMail(db)).length, 1);
  },
);
