import assert from "node:assert/strict";
import { listAuditForUser } from "../db/audit.ts";
import { dbTest } from "../db/testing.ts";
import { getPasswordHash, getUserById } from "../db/users.ts";
import type { Db } from "../db/db.ts";
import { accountFixture, META, NEW_PASSWORD } from "./account_testing.ts";
import { emailTokenHash } from "./email_token.ts";
import { verifyPassword } from "./password.ts";
import {
  checkResetLink,
  requestPasswordReset,
  RESET_LINK_INVALID,
  RESET_TOKEN_TTL_MS,
  resetPassword,
} from "./password_reset.ts";

const count = async (db: Db, sql: string, params: string[] = []) =>
  Number((await db.get(sql, params))?.n);

dbTest(
  "a reset request answers alike for known and unknown addresses; only the account gets a link",
  async (db) => {
    const f = await accountFixture(db);
    try {
      await f.user("ada@example.com");
      const known = await requestPasswordReset(f.deps, {
        email: " Ada@Example.com ",
      }, META);
      const unknown = await requestPasswordReset(f.deps, {
        email: "nobody@example.com",
      }, META);
      assert.deepEqual(known, { ok: true, email: "ada@example.com" });
      assert.deepEqual(unknown, { ok: true, email: "nobody@example.com" });
      const mails = await f.mails();
      assert.deepEqual(mails.map((m) => [m.kind, m.to]), [
        ["password_reset", "ada@example.com"],
        ["password_reset_no_account", "nobody@example.com"],
      ]);
      assert.ok(!mails[1].text.includes("token="));
      // Stored as the SHA-256 of the token, never the token.
      const token = await f.tokenIn("password_reset");
      const rows = await db.all(
        "SELECT token_hash, expires_at FROM password_reset_tokens",
      );
      assert.equal(rows.length, 1);
      assert.deepEqual(
        new Uint8Array(rows[0].token_hash as Uint8Array),
        emailTokenHash(token),
      );
      assert.equal(Number(rows[0].expires_at), f.clock.t + RESET_TOKEN_TTL_MS);
      assert.equal(
        await count(
          db,
          "SELECT count(*) AS n FROM audit_log WHERE event = 'auth.password_reset_requested'",
        ),
        2,
      );
    } finally {
      await f.close();
    }
  },
);

dbTest(
  "a reset sets the password, ends every session, deletes every reset token, tells the owner",
  async (db) => {
    const f = await accountFixture(db);
    try {
      const ada = await f.user("ada@example.com");
      await db.run("UPDATE users SET two_factor_enabled = 1 WHERE id = ?", [
        ada.id,
      ]);
      await f.session(ada.id);
      await f.session(ada.id);
      await requestPasswordReset(f.deps, { email: ada.email }, META);
      const first = await f.tokenIn("password_reset");
      await requestPasswordReset(f.deps, { email: ada.email }, META);
      const token = await f.tokenIn("password_reset");
      assert.notEqual(first, token);
      assert.deepEqual(await checkResetLink(f.deps, token), {
        ok: true,
        email: ada.email,
      });

      const result = await resetPassword(f.deps, {
        token,
        password: NEW_PASSWORD,
      }, META);
      assert.ok(result.ok);
      assert.equal(result.sessionsEnded, 2);
      assert.ok(
        await verifyPassword(
          (await getPasswordHash(db, ada.id))!,
          NEW_PASSWORD,
        ),
      );
      assert.equal(await count(db, "SELECT count(*) AS n FROM sessions"), 0);
      assert.equal(
        await count(db, "SELECT count(*) AS n FROM password_reset_tokens"),
        0,
      );
      const after = (await getUserById(db, ada.id))!;
      // A reset proves the mailbox, not the second factor: two-factor stays on.
      assert.equal(after.twoFactorEnabled, true);
      assert.notEqual(
        after.emailVerifiedAt,
        null,
        "the link verified the address",
      );
      const notice = (await f.mails()).at(-1)!;
      assert.equal(notice.kind, "security_password_changed");
      assert.equal(notice.to, ada.email);
      assert.match(notice.text, /reset with a link sent to this address/);
      assert.match(notice.text, /^Device: Firefox on Linux$/m);
      assert.match(notice.text, /^Address: 203\.0\.113\.9$/m);
      assert.match(notice.text, /\/account\/not-me\?token=/);
      assert.ok(!notice.text.includes(token));
      const events = (await listAuditForUser(db, ada.id)).map((e) => e.event);
      assert.equal(events[0], "auth.password_reset");

      // Used: the token, and the earlier one, are gone.
      for (const t of [token, first]) {
        const again = await resetPassword(f.deps, {
          token: t,
          password: "Another 8812 pass phrase",
        }, META);
        assert.equal(again.ok, false);
        assert.equal(!again.ok && again.error, RESET_LINK_INVALID);
      }
    } finally {
      await f.close();
    }
  },
);

dbTest(
  "a reset link works for one hour, and not tampered or malformed",
  async (db) => {
    const f = await accountFixture(db);
    try {
      const ada = await f.user("ada@example.com");
      await requestPasswordReset(f.deps, { email: ada.email }, META);
      const token = await f.tokenIn("password_reset");
      const flipped = token.slice(0, -1) + (token.endsWith("A") ? "B" : "A");
      for (const bad of [flipped, token.slice(1), "", "x".repeat(5000)]) {
        const r = await resetPassword(f.deps, {
          token: bad,
          password: NEW_PASSWORD,
        }, META);
        assert.equal(r.ok, false, bad.slice(0, 50));
        assert.equal(!r.ok && r.reason, "invalid");
      }
      f.clock.t += RESET_TOKEN_TTL_MS;
      assert.equal((await checkResetLink(f.deps, token)).ok, false);
      const late = await resetPassword(f.deps, {
        token,
        password: NEW_PASSWORD,
      }, META);
      assert.equal(!late.ok && late.error, RESET_LINK_INVALID);
      f.clock.t -= 1;
      const inTime = await resetPassword(f.deps, {
        token,
        password: NEW_PASSWORD,
      }, META);
      assert.ok(inTime.ok);
    } finally {
      await f.close();
    }
  },
);

dbTest(
  "a new password follows the sign-up rules; a refused one leaves the link usable",
  async (db) => {
    const f = await accountFixture(db);
    try {
      const ada = await f.user("adalovelace@example.com");
      await requestPasswordReset(f.deps, { email: ada.email }, META);
      const token = await f.tokenIn("password_reset");
      for (const password of ["short", "password123", "adalovelace2030!", ""]) {
        const r = await resetPassword(f.deps, { token, password }, META);
        assert.equal(r.ok, false, password);
        assert.ok(!r.ok && r.details?.password, password);
      }
      assert.ok(
        (await resetPassword(f.deps, { token, password: NEW_PASSWORD }, META))
          .ok,
      );
    } finally {
      await f.close();
    }
  },
);

dbTest(
  "one account's link changes only that account, whoever uses it",
  async (db) => {
    const f = await accountFixture(db);
    try {
      const ada = await f.user("ada@example.com");
      const bob = await f.user("bob@example.com");
      await f.session(bob.id);
      const bobHash = await getPasswordHash(db, bob.id);
      await requestPasswordReset(f.deps, { email: ada.email }, META);
      const token = await f.tokenIn("password_reset", ada.email);
      assert.ok(
        (await resetPassword(f.deps, { token, password: NEW_PASSWORD }, META))
          .ok,
      );
      assert.equal(await getPasswordHash(db, bob.id), bobHash);
      assert.equal(
        await count(
          db,
          "SELECT count(*) AS n FROM sessions WHERE user_id = ?",
          [bob.id],
        ),
        1,
      );
    } finally {
      await f.close();
    }
  },
);

dbTest(
  "nothing is half-written: a failed outbox write undoes the reset",
  async (db) => {
    const f = await accountFixture(db);
    try {
      const ada = await f.user("ada@example.com");
      await f.session(ada.id);
      await requestPasswordReset(f.deps, { email: ada.email }, META);
      const token = await f.tokenIn("password_reset");
      const before = await getPasswordHash(db, ada.id);
      f.failNextSend();
      await assert.rejects(
        resetPassword(f.deps, { token, password: NEW_PASSWORD }, META),
      );
      assert.equal(await getPasswordHash(db, ada.id), before);
      assert.equal(await count(db, "SELECT count(*) AS n FROM sessions"), 1);
      assert.equal(
        (await checkResetLink(f.deps, token)).ok,
        true,
        "the link still works",
      );
      assert.equal((await f.mails()).length, 1);
    } finally {
      await f.close();
    }
  },
);

dbTest(
  "reset requests are limited per address (known or not) and, silently, per account",
  async (db) => {
    const f = await accountFixture(db);
    try {
      await f.user("ada@example.com");
      for (const email of ["ada@example.com", "nobody@example.com"]) {
        for (let i = 0; i < 3; i++) {
          assert.ok((await requestPasswordReset(f.deps, { email }, META)).ok);
        }
        const refused = await requestPasswordReset(f.deps, { email }, META);
        assert.equal(!refused.ok && refused.reason, "rate_limited", email);
        assert.ok(!refused.ok && refused.retryAfterSeconds! > 0);
      }
      // Past the per-account limit (5 a day) the answer stays the same and
      // no mail goes out.
      const sent = () =>
        f.mails().then((m) =>
          m.filter((x) => x.kind === "password_reset").length
        );
      for (let hour = 1; hour <= 3; hour++) {
        f.clock.t += 2 * RESET_TOKEN_TTL_MS;
        for (let i = 0; i < 2; i++) {
          const r = await requestPasswordReset(f.deps, {
            email: "ada@example.com",
          }, META);
          assert.ok(r.ok);
        }
      }
      assert.equal(await sent(), 5);
    } finally {
      await f.close();
    }
  },
);
