import assert from "node:assert/strict";
import { listAuditForUser } from "../db/audit.ts";
import { dbTest } from "../db/testing.ts";
import { getPasswordHash } from "../db/users.ts";
import {
  accountFixture,
  META,
  NEW_PASSWORD,
  PASSWORD,
} from "./account_testing.ts";
import { changePassword } from "./change_password.ts";
import { verifyPassword } from "./password.ts";
import { requestPasswordReset } from "./password_reset.ts";
import { WRONG_CURRENT_PASSWORD } from "./reauthenticate.ts";

dbTest(
  "changing the password needs the current one and ends every other session only",
  async (db) => {
    const f = await accountFixture(db);
    try {
      const ada = await f.user("ada@example.com");
      const current = await f.session(ada.id);
      await f.session(ada.id);
      await f.session(ada.id);
      await requestPasswordReset(f.deps, { email: ada.email }, META);
      const before = await getPasswordHash(db, ada.id);

      const wrong = await changePassword(f.deps, ada, current, {
        currentPassword: "not it at all 123",
        newPassword: NEW_PASSWORD,
      }, META);
      assert.equal(
        !wrong.ok && wrong.details?.currentPassword,
        WRONG_CURRENT_PASSWORD,
      );
      const weak = await changePassword(f.deps, ada, current, {
        currentPassword: PASSWORD,
        newPassword: "short",
      }, META);
      assert.ok(!weak.ok && weak.details?.newPassword);
      assert.equal(await getPasswordHash(db, ada.id), before);

      const ok = await changePassword(f.deps, ada, current, {
        currentPassword: PASSWORD,
        newPassword: NEW_PASSWORD,
      }, META);
      assert.deepEqual(ok, { ok: true, sessionsEnded: 2 });
      assert.ok(
        await verifyPassword(
          (await getPasswordHash(db, ada.id))!,
          NEW_PASSWORD,
        ),
      );
      const left = await db.all("SELECT id FROM sessions");
      assert.deepEqual(left.map((r) => r.id), [current]);
      assert.equal(
        Number(
          (await db.get("SELECT count(*) AS n FROM password_reset_tokens"))?.n,
        ),
        0,
      );
      const notice = (await f.mails()).at(-1)!;
      assert.equal(notice.kind, "security_password_changed");
      assert.equal(notice.to, ada.email);
      assert.match(notice.text, /changed in settings/);
      assert.match(notice.text, /\/account\/not-me\?token=/);
      assert.equal(
        (await listAuditForUser(db, ada.id))[0].event,
        "auth.password_changed",
      );
    } finally {
      await f.close();
    }
  },
);

dbTest("wrong current passwords are limited per account", async (db) => {
  const f = await accountFixture(db);
  try {
    const ada = await f.user("ada@example.com");
    const current = await f.session(ada.id);
    for (let i = 0; i < 5; i++) {
      const r = await changePassword(f.deps, ada, current, {
        currentPassword: `wrong guess ${i}`,
        newPassword: NEW_PASSWORD,
      }, META);
      assert.equal(!r.ok && r.reason, "invalid");
    }
    const blocked = await changePassword(f.deps, ada, current, {
      currentPassword: PASSWORD,
      newPassword: NEW_PASSWORD,
    }, META);
    assert.equal(!blocked.ok && blocked.reason, "rate_limited");
  } finally {
    await f.close();
  }
});

dbTest(
  "an account without a password is told to set one by reset",
  async (db) => {
    const f = await accountFixture(db);
    try {
      const ada = await f.user("ada@example.com");
      await db.run("UPDATE users SET password_hash = NULL WHERE id = ?", [
        ada.id,
      ]);
      const r = await changePassword(f.deps, ada, await f.session(ada.id), {
        currentPassword: "anything at all",
        newPassword: NEW_PASSWORD,
      }, META);
      assert.equal(!r.ok && r.reason, "invalid");
      assert.equal(await getPasswordHash(db, ada.id), null);
    } finally {
      await f.close();
    }
  },
);

dbTest(
  "nothing is half-written: a failed outbox write undoes the change",
  async (db) => {
    const f = await accountFixture(db);
    try {
      const ada = await f.user("ada@example.com");
      const current = await f.session(ada.id);
      await f.session(ada.id);
      const before = await getPasswordHash(db, ada.id);
      f.failNextSend();
      await assert.rejects(changePassword(f.deps, ada, current, {
        currentPassword: PASSWORD,
        newPassword: NEW_PASSWORD,
      }, META));
      assert.equal(await getPasswordHash(db, ada.id), before);
      assert.equal(
        Number((await db.get("SELECT count(*) AS n FROM sessions"))?.n),
        2,
      );
    } finally {
      await f.close();
    }
  },
);
