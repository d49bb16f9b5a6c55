import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { createSession, validateSessionToken } from "../auth/session.ts";
import { sessionTest } from "../auth/session_testing.ts";
import { createUser, getUserById } from "../db/users.ts";
import { securityNotice } from "../email/notices.ts";
import {
  checkNotMeToken,
  endEverySession,
  issueNotMeToken,
  NOT_ME_TTL_MS,
} from "./not_me.ts";
import { outboxNoticeDeps, queuedMail } from "./testing.ts";

const META = { ip: "198.51.100.7", userAgent: "curl/8.5.0" };

sessionTest(
  "this wasn't me: the notice's link ends every session once; used, expired, tampered and foreign-looking tokens are refused alike",
  async (f) => {
    const user = (await getUserById(f.db, f.userId))!;
    const a = await createSession(f.deps, user.id, META);
    const b = await createSession(f.deps, user.id, META);
    const bystander = await createUser(f.db, {
      email: "by@example.com",
      username: "by",
    });
    const theirs = await createSession(f.deps, bystander.id, META);

    const token = await f.db.transaction((tx) =>
      securityNotice(tx, outboxNoticeDeps(), {
        kind: "password_changed",
        user,
        meta: META,
      })
    );
    assert.ok(token);
    const [mail] = await queuedMail(f.db);
    assert.ok(
      mail.text.includes(`https://islet.test/account/not-me?token=${token}`),
    );
    assert.match(mail.text, /Device: curl/);
    assert.match(mail.text, /Address: 198\.51\.100\.7/);
    // Only the hash is stored.
    const stored = await f.db.all(
      "SELECT token_hash FROM security_notice_tokens",
    );
    assert.equal(stored.length, 1);
    assert.deepEqual(
      new Uint8Array(stored[0].token_hash as Uint8Array),
      new Uint8Array(createHash("sha256").update(token!).digest()),
    );

    assert.equal((await checkNotMeToken(f.db, token)).ok, true);
    const tampered = token!.slice(0, -1) + (token!.endsWith("A") ? "B" : "A");
    for (const bad of [tampered, "", "x".repeat(43), token + "=", null]) {
      const r = await endEverySession(f.deps, bad, META);
      assert.equal(!r.ok && r.reason, "invalid", String(bad));
    }
    assert.ok(
      await validateSessionToken(f.deps, a.token),
      "nothing ended by a bad token",
    );

    const used = await endEverySession(f.deps, token, META);
    assert.deepEqual(used, { ok: true, userId: user.id, ended: 2 });
    for (const s of [a, b]) {
      assert.equal(await validateSessionToken(f.deps, s.token), null);
    }
    assert.ok(
      await validateSessionToken(f.deps, theirs.token),
      "another account's session stays",
    );
    const again = await endEverySession(f.deps, token, META);
    assert.equal(!again.ok && again.reason, "invalid", "single use");
    assert.equal((await checkNotMeToken(f.db, token)).ok, false);
    const audited = await f.db.get(
      "SELECT details FROM audit_log WHERE user_id = ? AND event = 'session.end_all'",
      [user.id],
    );
    assert.deepEqual(JSON.parse(String(audited?.details)), {
      ended: 2,
      notice: "auth.password_changed",
    });

    // Expired: refused, and the same words as a wrong one.
    const old = await issueNotMeToken(
      f.db,
      user.id,
      "auth.sign_in",
      Date.now() - NOT_ME_TTL_MS - 1,
    );
    const expired = await endEverySession(f.deps, old, META);
    const wrong = await endEverySession(f.deps, tampered, META);
    assert.equal(!expired.ok && expired.error, !wrong.ok && wrong.error);
  },
);
