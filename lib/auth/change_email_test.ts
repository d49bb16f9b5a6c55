import assert from "node:assert/strict";
import { listAuditForUser } from "../db/audit.ts";
import type { Db } from "../db/db.ts";
import { dbTest } from "../db/testing.ts";
import { getUserById } from "../db/users.ts";
import { accountFixture, META, NEW_PASSWORD } from "./account_testing.ts";
import {
  checkEmailChangeLink,
  CONFIRM_LINK_INVALID,
  CONFIRM_TOKEN_TTL_MS,
  confirmEmailChange,
  requestEmailChange,
  UNDO_LINK_INVALID,
  UNDO_TOKEN_TTL_MS,
  undoEmailChange,
} from "./change_email.ts";
import { requestPasswordReset, resetPassword } from "./password_reset.ts";

const n = async (db: Db, table: string) =>
  Number((await db.get(`SELECT count(*) AS n FROM ${table}`))?.n);

dbTest(
  "an email change applies when the new address confirms it; the old one can undo it",
  async (db) => {
    const f = await accountFixture(db);
    try {
      const ada = await f.user("ada@example.com");
      await db.run("UPDATE users SET two_factor_enabled = 1 WHERE id = ?", [
        ada.id,
      ]);
      await f.session(ada.id);
      await f.session(ada.id);
      const asked = await requestEmailChange(f.deps, ada, {
        email: "Ada@Example.ORG",
      }, META);
      assert.deepEqual(asked, { ok: true, email: "ada@example.org" });
      assert.equal(
        (await getUserById(db, ada.id))!.email,
        "ada@example.com",
        "not yet",
      );
      const confirm = await f.tokenIn(
        "email_change_confirm",
        "ada@example.org",
      );
      assert.deepEqual(await checkEmailChangeLink(f.deps, confirm, "confirm"), {
        ok: true,
        oldEmail: "ada@example.com",
        newEmail: "ada@example.org",
      });
      // A reset link sent to the old address before the change dies with it.
      await requestPasswordReset(f.deps, { email: ada.email }, META);
      const oldReset = await f.tokenIn("password_reset");
      // A confirm link is not an undo link.
      assert.equal(
        (await undoEmailChange(f.deps, { token: confirm }, META)).ok,
        false,
      );

      const done = await confirmEmailChange(f.deps, { token: confirm }, META);
      assert.ok(done.ok);
      assert.equal(done.user.email, "ada@example.org");
      assert.equal(done.user.emailVerifiedAt, f.clock.t);
      assert.equal(await n(db, "sessions"), 2, "sessions stay");
      assert.equal(await n(db, "password_reset_tokens"), 0);
      assert.equal(
        (await resetPassword(f.deps, {
          token: oldReset,
          password: NEW_PASSWORD,
        }, META)).ok,
        false,
      );
      const again = await confirmEmailChange(f.deps, { token: confirm }, META);
      assert.equal(!again.ok && again.error, CONFIRM_LINK_INVALID);
      const told = (await f.mails()).at(-1)!;
      // A security notice, its undo link where "this wasn't me" would be.
      assert.equal(told.kind, "security_email_changed");
      assert.equal(told.to, "ada@example.com");
      assert.match(told.text, /changed from ada@example\.com/);
      assert.match(told.text, /It now uses ada@example\.org/);
      assert.match(told.text, /^When: /m);
      assert.match(told.text, /^Device: /m);
      assert.match(told.text, /^Address: /m);
      assert.match(told.text, /\/undo-email-change\?token=/);
      assert.doesNotMatch(told.text, /\/account\/not-me/);
      assert.equal(
        (await listAuditForUser(db, ada.id))[0].event,
        "auth.email_changed",
      );

      const undo = await f.tokenIn("security_email_changed", "ada@example.com");
      const undone = await undoEmailChange(f.deps, { token: undo }, META);
      assert.ok(undone.ok);
      assert.equal(undone.user.email, "ada@example.com");
      assert.equal(undone.user.twoFactorEnabled, true, "two-factor untouched");
      assert.equal(await n(db, "sessions"), 0, "every session ends");
      assert.equal(await n(db, "email_change_tokens"), 0);
      assert.equal(
        (await undoEmailChange(f.deps, { token: undo }, META)).ok,
        false,
        "single use",
      );
      // The suggestion holds a working reset link to the restored address.
      const suggestion = (await f.mails()).at(-1)!;
      assert.equal(suggestion.kind, "email_change_undone");
      assert.equal(suggestion.to, "ada@example.com");
      const reset = await f.tokenIn("email_change_undone");
      assert.ok(
        (await resetPassword(
          f.deps,
          { token: reset, password: NEW_PASSWORD },
          META,
        )).ok,
      );
      assert.equal(
        (await listAuditForUser(db, ada.id))[1].event,
        "auth.email_change_undone",
      );
    } finally {
      await f.close();
    }
  },
);

dbTest(
  "an address another account uses gets the same answer, and nothing changes",
  async (db) => {
    const f = await accountFixture(db);
    try {
      const ada = await f.user("ada@example.com");
      await f.user("bob@example.com");
      const free = await requestEmailChange(f.deps, ada, {
        email: "new@example.com",
      }, META);
      const taken = await requestEmailChange(f.deps, ada, {
        email: "bob@example.com",
      }, META);
      assert.deepEqual(Object.keys(free), Object.keys(taken));
      assert.equal(free.ok && taken.ok, true);
      assert.equal(
        await n(db, "email_change_tokens"),
        1,
        "only the free address has a link",
      );
      const mails = await f.mails();
      assert.deepEqual(mails.map((m) => [m.kind, m.to]), [
        ["email_change_confirm", "new@example.com"],
        ["email_change_taken", "bob@example.com"],
      ]);
      assert.ok(!mails[1].text.includes("token="));
      assert.equal((await getUserById(db, ada.id))!.email, "ada@example.com");
      // The account's own activity does not say which was which.
      const requested = (await listAuditForUser(db, ada.id)).filter((e) =>
        e.event === "auth.email_change_requested"
      );
      assert.deepEqual(requested.map((e) => e.details), [null, null]);
    } finally {
      await f.close();
    }
  },
);

dbTest(
  "an email change needs a new, valid address",
  async (db) => {
    const f = await accountFixture(db);
    try {
      const ada = await f.user("ada@example.com");
      for (
        const input of [
          {} as Record<string, string>,
          { email: "" },
          { email: "not an address" },
          { email: "ADA@example.com" },
        ]
      ) {
        const r = await requestEmailChange(f.deps, ada, input, META);
        assert.equal(!r.ok && r.reason, "invalid", JSON.stringify(input));
      }
      assert.equal(await n(db, "email_change_tokens"), 0);
      assert.equal((await f.mails()).length, 0);
    } finally {
      await f.close();
    }
  },
);

dbTest(
  "confirm links: one day, the latest only, tampering refused, and a taken address refused",
  async (db) => {
    const f = await accountFixture(db);
    try {
      const ada = await f.user("ada@example.com");
      const ask = (email: string) =>
        requestEmailChange(f.deps, ada, { email }, META);
      await ask("one@example.com");
      const first = await f.tokenIn("email_change_confirm");
      await ask("two@example.com");
      const second = await f.tokenIn("email_change_confirm");
      assert.equal(
        (await confirmEmailChange(f.deps, { token: first }, META)).ok,
        false,
        "superseded",
      );
      const flipped = second.slice(0, -1) + (second.endsWith("A") ? "B" : "A");
      assert.equal(
        (await confirmEmailChange(f.deps, { token: flipped }, META)).ok,
        false,
      );
      f.clock.t += CONFIRM_TOKEN_TTL_MS;
      const late = await confirmEmailChange(f.deps, { token: second }, META);
      assert.equal(!late.ok && late.error, CONFIRM_LINK_INVALID);

      await ask("three@example.com");
      const third = await f.tokenIn("email_change_confirm");
      await f.user("three@example.com"); // someone signs up with it meanwhile
      const clash = await confirmEmailChange(f.deps, { token: third }, META);
      assert.equal(!clash.ok && clash.reason, "invalid");
      assert.equal((await getUserById(db, ada.id))!.email, "ada@example.com");
    } finally {
      await f.close();
    }
  },
);

dbTest(
  "undo links last 7 days and still work after a second change",
  async (db) => {
    const f = await accountFixture(db);
    try {
      const ada = await f.user("ada@example.com");
      const move = async (email: string) => {
        const user = (await getUserById(db, ada.id))!;
        await requestEmailChange(
          f.deps,
          user,
          { email },
          META,
        );
        const token = await f.tokenIn("email_change_confirm", email);
        assert.ok((await confirmEmailChange(f.deps, { token }, META)).ok);
      };
      await move("b@example.com");
      const undoA = await f.tokenIn(
        "security_email_changed",
        "ada@example.com",
      );
      await move("c@example.com");
      assert.ok((await checkEmailChangeLink(f.deps, undoA, "undo")).ok);
      f.clock.t += UNDO_TOKEN_TTL_MS;
      const late = await checkEmailChangeLink(f.deps, undoA, "undo");
      assert.equal(!late.ok && late.error, UNDO_LINK_INVALID);
      f.clock.t -= 1;
      const r = await undoEmailChange(f.deps, { token: undoA }, META);
      assert.ok(r.ok);
      assert.equal(r.user.email, "ada@example.com");
    } finally {
      await f.close();
    }
  },
);

dbTest(
  "nothing is half-written: a failed outbox write undoes the confirmation",
  async (db) => {
    const f = await accountFixture(db);
    try {
      const ada = await f.user("ada@example.com");
      await requestEmailChange(f.deps, ada, {
        email: "new@example.com",
      }, META);
      const token = await f.tokenIn("email_change_confirm");
      f.failNextSend();
      await assert.rejects(confirmEmailChange(f.deps, { token }, META));
      assert.equal((await getUserById(db, ada.id))!.email, "ada@example.com");
      assert.ok(
        (await confirmEmailChange(f.deps, { token }, META)).ok,
        "the link still works",
      );
    } finally {
      await f.close();
    }
  },
);
