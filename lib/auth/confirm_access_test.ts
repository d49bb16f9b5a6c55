import assert from "node:assert/strict";
import fc from "fast-check";
import { describeEvent, isWarning } from "../account/activity_words.ts";
import { listAuditForUser } from "../db/audit.ts";
import { dbTest } from "../db/testing.ts";
import { getSession } from "../db/sessions.ts";
import { createUser, getUserById } from "../db/users.ts";
import { isRecentlyAuthenticated, RECENT_AUTH_MS } from "../web/recent_auth.ts";
import { accountFixture, META, PASSWORD } from "./account_testing.ts";
import { confirmAccess, NO_PASSWORD_TO_CONFIRM } from "./confirm_access.ts";
import { WRONG_CURRENT_PASSWORD } from "./reauthenticate.ts";
import { SECOND_FACTOR_WORDS } from "./second_factor.ts";
import { createSession, validateSessionToken } from "./session.ts";
import { codeFor, turnOnTwoFactor } from "./two_factor_testing.ts";

const MIN = 60_000;

dbTest(
  "confirming access with the password makes an old session recent again, everywhere it is cached, and is audited",
  async (db) => {
    const f = await accountFixture(db);
    try {
      const ada = await f.user("ada@example.com");
      const { token, session } = await createSession(f.deps.sessions, ada.id);
      f.clock.t += RECENT_AUTH_MS + MIN;
      // Validated while old: the copy in the cache says so.
      const before = await validateSessionToken(f.deps.sessions, token);
      assert.ok(before);
      assert.equal(isRecentlyAuthenticated(before.session, f.clock.t), false);

      const done = await confirmAccess(f.deps, ada, session.id, {
        password: PASSWORD,
      }, META);
      assert.deepEqual(done, { ok: true, authenticatedAt: f.clock.t });
      assert.equal(
        (await getSession(db, session.id))?.authenticatedAt,
        f.clock.t,
      );
      const after = await validateSessionToken(f.deps.sessions, token);
      assert.equal(
        after?.session.authenticatedAt,
        f.clock.t,
        "not the cached copy",
      );
      assert.ok(isRecentlyAuthenticated(after!.session, f.clock.t));
      f.clock.t += RECENT_AUTH_MS;
      assert.equal(isRecentlyAuthenticated(after!.session, f.clock.t), false);

      const [entry] = await listAuditForUser(db, ada.id);
      assert.equal(entry.event, "auth.access_confirmed");
      assert.deepEqual(entry.details, { method: "password" });
      assert.equal(entry.ip, META.ip);
    } finally {
      await f.close();
    }
  },
);

dbTest(
  "a wrong or missing password changes nothing; a wrong one is a warning in the activity; the 6th try in 15 minutes is refused, even right",
  async (db) => {
    const f = await accountFixture(db);
    try {
      const ada = await f.user("ada@example.com");
      const session = await f.session(ada.id);
      const at = (await getSession(db, session))!.authenticatedAt;
      f.clock.t += RECENT_AUTH_MS + MIN;

      const missing = await confirmAccess(f.deps, ada, session, {}, META);
      assert.equal(!missing.ok && missing.reason, "invalid");
      assert.ok(!missing.ok && missing.details?.password);
      const wrong = await confirmAccess(f.deps, ada, session, {
        password: "not my password 1",
      }, META);
      assert.equal(!wrong.ok && wrong.reason, "invalid");
      assert.equal(
        !wrong.ok && wrong.details?.password,
        WRONG_CURRENT_PASSWORD,
      );
      assert.equal((await getSession(db, session))?.authenticatedAt, at);
      const [failed] = await listAuditForUser(db, ada.id);
      assert.equal(failed.event, "auth.sign_in_failed");
      assert.ok(isWarning(failed.event));
      assert.match(describeEvent(failed), /asked to confirm it was you/);

      // Five checks counted so far would be: missing (not counted: nothing
      // to check), wrong, then three more wrong.
      for (let i = 0; i < 4; i++) {
        const r = await confirmAccess(f.deps, ada, session, {
          password: `wrong password ${i}`,
        }, META);
        assert.equal(!r.ok && r.reason, "invalid", `try ${i + 2}`);
      }
      const sixth = await confirmAccess(f.deps, ada, session, {
        password: PASSWORD,
      }, META);
      assert.equal(!sixth.ok && sixth.reason, "rate_limited");
      assert.ok(!sixth.ok && sixth.retryAfterSeconds! > 0);
      assert.equal((await getSession(db, session))?.authenticatedAt, at);

      f.clock.t += 15 * MIN;
      const later = await confirmAccess(f.deps, ada, session, {
        password: PASSWORD,
      }, META);
      assert.ok(later.ok, "the window passed");
    } finally {
      await f.close();
    }
  },
);

dbTest(
  "an account without a password is told how to prove it instead; a pending or ended session is refused",
  async (db) => {
    const f = await accountFixture(db);
    try {
      const oauth = await createUser(db, {
        email: "oauth@example.com",
        username: "oauth",
      }, f.clock.t);
      const own = await f.session(oauth.id);
      const r = await confirmAccess(f.deps, oauth, own, {
        password: PASSWORD,
      }, META);
      assert.deepEqual(
        !r.ok && [r.reason, r.error],
        ["invalid", NO_PASSWORD_TO_CONFIRM],
      );

      const ada = await f.user("ada@example.com");
      const pending = await createSession(f.deps.sessions, ada.id, {
        secondFactorPending: true,
      });
      const p = await confirmAccess(f.deps, ada, pending.session.id, {
        password: PASSWORD,
      }, META);
      assert.equal(!p.ok && p.reason, "not_found");
      const gone = await confirmAccess(f.deps, ada, "no-such-session", {
        password: PASSWORD,
      }, META);
      assert.equal(!gone.ok && gone.reason, "not_found");
      assert.equal(
        (await listAuditForUser(db, ada.id)).filter((e) =>
          e.event === "auth.access_confirmed"
        ).length,
        0,
      );
    } finally {
      await f.close();
    }
  },
);

dbTest(
  "two-factor on: the password AND a code; a code is not spent on a wrong password, a used one is refused, a recovery code works once",
  async (db) => {
    const f = await accountFixture(db);
    try {
      const created = await f.user("ada@example.com");
      const session = await f.session(created.id);
      const recovery = await turnOnTwoFactor(f.deps, created, session, META);
      const ada = (await getUserById(db, created.id))!;
      assert.equal(ada.twoFactorEnabled, true);
      // Later: the setup's time step is behind us, and so is the proof.
      f.clock.t += RECENT_AUTH_MS + MIN;
      const at = (await getSession(db, session))!.authenticatedAt;
      const code = await codeFor(f.deps, ada.id, f.clock.t);

      const alone = await confirmAccess(f.deps, ada, session, {
        password: PASSWORD,
      }, META);
      assert.deepEqual(
        !alone.ok && alone.details,
        { code: SECOND_FACTOR_WORDS.enterCode },
      );
      const wrongPassword = await confirmAccess(f.deps, ada, session, {
        password: "not my password 1",
        code,
      }, META);
      assert.equal(
        !wrongPassword.ok && wrongPassword.details?.password,
        WRONG_CURRENT_PASSWORD,
      );
      const wrongCode = await confirmAccess(f.deps, ada, session, {
        password: PASSWORD,
        code: code === "000000" ? "000001" : "000000",
      }, META);
      assert.equal(
        !wrongCode.ok && wrongCode.details?.code,
        SECOND_FACTOR_WORDS.wrongCode,
      );
      assert.equal((await getSession(db, session))?.authenticatedAt, at);

      const done = await confirmAccess(f.deps, ada, session, {
        password: PASSWORD,
        code: `${code.slice(0, 3)} ${code.slice(3)}`,
      }, META);
      assert.deepEqual(done, { ok: true, authenticatedAt: f.clock.t });
      assert.deepEqual((await listAuditForUser(db, ada.id))[0].details, {
        method: "password",
        secondFactor: "totp",
      });

      // The same code again, on another device: refused (replay).
      const phone = await f.session(ada.id);
      const replay = await confirmAccess(f.deps, ada, phone, {
        password: PASSWORD,
        code,
      }, META);
      assert.equal(
        !replay.ok && replay.details?.code,
        SECOND_FACTOR_WORDS.wrongCode,
      );

      // A recovery code instead: accepted once, its owner emailed.
      const emptyRecovery = await confirmAccess(f.deps, ada, phone, {
        password: PASSWORD,
        recoveryCode: "",
      }, META);
      assert.ok(!emptyRecovery.ok && emptyRecovery.details?.recoveryCode);
      const viaRecovery = await confirmAccess(f.deps, ada, phone, {
        password: PASSWORD,
        recoveryCode: recovery[0].toUpperCase(),
      }, META);
      assert.ok(viaRecovery.ok);
      assert.equal(
        (await f.mails()).filter((m) => m.kind.endsWith("recovery_code_used"))
          .length,
        1,
      );
      const again = await confirmAccess(f.deps, ada, phone, {
        password: PASSWORD,
        recoveryCode: recovery[0],
      }, META);
      assert.equal(
        !again.ok && again.details?.recoveryCode,
        SECOND_FACTOR_WORDS.wrongRecovery,
      );
    } finally {
      await f.close();
    }
  },
);

dbTest(
  "any typed input short of the password (and a code) is a clear refusal, never a throw, never a proof",
  async (db) => {
    const f = await accountFixture(db, { limits: false });
    try {
      const ada = await f.user("ada@example.com");
      const bob = await f.user("bob@example.com");
      await db.run("UPDATE users SET two_factor_enabled = 1 WHERE id = ?", [
        bob.id,
      ]);
      const bobWith2fa = (await getUserById(db, bob.id))!;
      const sessions = [await f.session(ada.id), await f.session(bob.id)];
      const field = fc.option(
        fc.oneof(
          fc.string(),
          fc.string({ unit: "grapheme" }),
          fc.stringMatching(/^[0-9 ]{0,8}$/),
        ),
        {
          nil: undefined,
        },
      );
      await fc.assert(
        fc.asyncProperty(
          fc.record({ password: field, code: field, recoveryCode: field }),
          fc.boolean(),
          async (input, twoFactor) => {
            const user = twoFactor ? bobWith2fa : ada;
            const session = sessions[twoFactor ? 1 : 0];
            // The right password with a made-up code, or a made-up password.
            const typed = twoFactor && input.password === undefined
              ? { ...input, password: PASSWORD }
              : input;
            const r = await confirmAccess(f.deps, user, session, typed, META);
            assert.equal(r.ok, false);
            assert.ok(
              !r.ok && (r.reason === "invalid" || r.reason === "busy"),
              JSON.stringify(r),
            );
            assert.ok(!r.ok && r.error.length > 0);
          },
        ),
        { numRuns: 40 },
      );
      for (const id of sessions) {
        assert.equal((await getSession(db, id))?.authenticatedAt, f.clock.t);
      }
    } finally {
      await f.close();
    }
  },
);
