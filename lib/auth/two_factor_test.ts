import assert from "node:assert/strict";
import { encodeBase32UpperCaseNoPadding } from "@oslojs/encoding";
import { listAuditForUser } from "../db/audit.ts";
import { countRecoveryCodesLeft } from "../db/recovery_codes.ts";
import { getSession } from "../db/sessions.ts";
import { dbTest } from "../db/testing.ts";
import { getTotpSecretEncrypted, getTwoFactor } from "../db/two_factor.ts";
import { accountFixture, META } from "./account_testing.ts";
import { checkSecondFactor } from "./second_factor.ts";
import { totpCodeAt, totpStep } from "./totp.ts";
import {
  confirmTwoFactorSetup,
  disableTwoFactor,
  pendingTwoFactorSetup,
  regenerateRecoveryCodes,
  startTwoFactorSetup,
  TWO_FACTOR_WORDS,
  twoFactorStatus,
} from "./two_factor.ts";
import {
  codeFor,
  storedTotpSecret,
  turnOnTwoFactor,
} from "./two_factor_testing.ts";

const STEP = 30_000;

dbTest(
  "setup: a sealed secret is stored with two-factor off; the code computed from it turns it on, once",
  async (db) => {
    const f = await accountFixture(db);
    try {
      const ada = await f.user("ada@example.com");
      const sid = await f.session(ada.id);
      assert.deepEqual(await twoFactorStatus(f.deps, ada), {
        enabled: false,
        recoveryCodesLeft: 0,
        available: true,
      });
      const started = await startTwoFactorSetup(f.deps, ada);
      assert.ok(started.ok);
      const sealed = await getTotpSecretEncrypted(db, ada.id);
      assert.match(sealed!, /^v1\./);
      assert.equal((await getTwoFactor(db, ada.id))?.enabled, false);
      // What the page shows is the stored secret.
      const secret = await storedTotpSecret(f.deps, ada.id);
      assert.equal(secret.length, 20);
      assert.equal(
        started.setup.keyText.replaceAll(" ", ""),
        encodeBase32UpperCaseNoPadding(secret),
      );
      assert.match(
        started.setup.uri,
        /^otpauth:\/\/totp\/Islet:ada%40example\.com\?/,
      );
      assert.match(started.setup.qrSvg, /^<svg [^>]*role="img"/);
      assert.deepEqual(await pendingTwoFactorSetup(f.deps, ada), started.setup);

      // A wrong code, a malformed one: still off, nothing sent.
      const wrongCode = totpCodeAt(secret, totpStep(f.clock.t) + 5);
      const wrong = await confirmTwoFactorSetup(
        f.deps,
        ada,
        sid,
        wrongCode,
        META,
      );
      assert.equal(
        !wrong.ok && wrong.details?.code,
        TWO_FACTOR_WORDS.wrongSetupCode,
      );
      const malformed = await confirmTwoFactorSetup(
        f.deps,
        ada,
        sid,
        "12 34",
        META,
      );
      assert.equal(!malformed.ok && malformed.reason, "invalid");
      assert.equal((await getTwoFactor(db, ada.id))?.enabled, false);

      const code = await codeFor(f.deps, ada.id, f.clock.t);
      const on = await confirmTwoFactorSetup(f.deps, ada, sid, code, META);
      assert.ok(on.ok);
      assert.equal(on.recoveryCodes.length, 10);
      assert.equal(new Set(on.recoveryCodes).size, 10);
      assert.deepEqual(await twoFactorStatus(f.deps, ada), {
        enabled: true,
        recoveryCodesLeft: 10,
        available: true,
      });
      // The code that turned it on is used: it does not sign in.
      const replay = await checkSecondFactor(f.deps, ada, { code }, META);
      assert.equal(replay.ok, false);
      // This session passed the second factor; the pending setup is gone.
      assert.equal((await getSession(db, sid))?.twoFactorVerified, true);
      assert.equal(await pendingTwoFactorSetup(f.deps, ada), null);
      const [mail] = (await f.mails()).filter((m) =>
        m.kind === "security_two_factor_enabled"
      );
      assert.equal(mail.to, "ada@example.com");
      assert.match(mail.text, /Two-factor sign-in was turned on/);
      const events = (await listAuditForUser(db, ada.id)).map((e) => e.event);
      assert.ok(events.includes("auth.two_factor_enabled"));
      // No code in the mail or the audit log.
      for (const c of on.recoveryCodes) assert.ok(!mail.text.includes(c));
      assert.ok(
        !JSON.stringify(await listAuditForUser(db, ada.id)).includes(code),
      );

      // On already: no second setup, no second confirmation.
      const again = await startTwoFactorSetup(f.deps, ada);
      assert.equal(!again.ok && again.reason, "taken");
      assert.equal(await getTotpSecretEncrypted(db, ada.id), sealed);
      f.clock.t += STEP;
      const twice = await confirmTwoFactorSetup(
        f.deps,
        ada,
        sid,
        await codeFor(f.deps, ada.id, f.clock.t),
        META,
      );
      assert.equal(!twice.ok && twice.reason, "taken");
    } finally {
      await f.close();
    }
  },
);

dbTest(
  "setup: starting again replaces the unfinished secret; the old one's code no longer confirms",
  async (db) => {
    const f = await accountFixture(db);
    try {
      const ada = await f.user("ada@example.com");
      const sid = await f.session(ada.id);
      await startTwoFactorSetup(f.deps, ada);
      const oldCode = await codeFor(f.deps, ada.id, f.clock.t);
      const first = await storedTotpSecret(f.deps, ada.id);
      await startTwoFactorSetup(f.deps, ada);
      const second = await storedTotpSecret(f.deps, ada.id);
      assert.notDeepEqual(first, second);
      if (oldCode !== await codeFor(f.deps, ada.id, f.clock.t)) {
        const stale = await confirmTwoFactorSetup(
          f.deps,
          ada,
          sid,
          oldCode,
          META,
        );
        assert.equal(stale.ok, false);
      }
      const on = await confirmTwoFactorSetup(
        f.deps,
        ada,
        sid,
        await codeFor(f.deps, ada.id, f.clock.t),
        META,
      );
      assert.ok(on.ok);
    } finally {
      await f.close();
    }
  },
);

dbTest(
  "the secret is sealed at rest: never in the clear in the database",
  async (db, location) => {
    const f = await accountFixture(db);
    try {
      const ada = await f.user("ada@example.com");
      await turnOnTwoFactor(f.deps, ada, await f.session(ada.id), META);
      const secret = await storedTotpSecret(f.deps, ada.id);
      const base32 = encodeBase32UpperCaseNoPadding(secret);
      const sealed = (await getTotpSecretEncrypted(db, ada.id))!;
      const hex = [...secret].map((b) => b.toString(16).padStart(2, "0")).join(
        "",
      );
      if (db.engine === "sqlite") {
        // The file itself, and its write-ahead log, byte for byte.
        const bytes = new Uint8Array([
          ...await Deno.readFile(location),
          ...await Deno.readFile(`${location}-wal`).catch(() =>
            new Uint8Array()
          ),
        ]);
        const text = new TextDecoder("latin1").decode(bytes);
        assert.ok(text.includes(sealed), "the sealed text is there");
        assert.ok(!text.includes(base32), "no base32 secret");
        assert.ok(!text.toUpperCase().includes(hex.toUpperCase()), "no hex");
        assert.ok(
          !text.includes(new TextDecoder("latin1").decode(secret)),
          "no raw bytes",
        );
      } else {
        const row = await db.get(
          "SELECT totp_secret_encrypted::text AS t FROM users WHERE id = ?",
          [ada.id],
        );
        assert.equal(row?.t, sealed);
        const dump = JSON.stringify(await db.all("SELECT * FROM users"));
        assert.ok(!dump.includes(base32) && !dump.includes(hex));
      }
    } finally {
      await f.close();
    }
  },
);

dbTest(
  "turning it off clears the secret, the flag and every recovery code, and says so",
  async (db) => {
    const f = await accountFixture(db);
    try {
      const ada = await f.user("ada@example.com");
      const codes = await turnOnTwoFactor(
        f.deps,
        ada,
        await f.session(ada.id),
        META,
      );
      const off = await disableTwoFactor(f.deps, ada, META);
      assert.deepEqual(off, { ok: true });
      assert.deepEqual(await getTwoFactor(db, ada.id), {
        enabled: false,
        secretEncrypted: null,
      });
      assert.equal(await countRecoveryCodesLeft(db, ada.id), 0);
      assert.equal(
        Number((await db.get("SELECT count(*) AS n FROM recovery_codes"))?.n),
        0,
      );
      assert.equal(
        (await db.get("SELECT totp_last_used_step FROM users"))
          ?.totp_last_used_step,
        null,
      );
      const check = await checkSecondFactor(f.deps, ada, {
        recoveryCode: codes[0],
      }, META);
      assert.equal(check.ok, false);
      const mail = (await f.mails()).find((m) =>
        m.kind === "security_two_factor_disabled"
      );
      assert.match(mail!.text, /Two-factor sign-in was turned off/);
      const events = (await listAuditForUser(db, ada.id)).map((e) => e.event);
      assert.ok(events.includes("auth.two_factor_disabled"));
      assert.deepEqual(await twoFactorStatus(f.deps, ada), {
        enabled: false,
        recoveryCodesLeft: 0,
        available: true,
      });
      const again = await disableTwoFactor(f.deps, ada, META);
      assert.equal(!again.ok && again.error, TWO_FACTOR_WORDS.alreadyOff);
      assert.equal(
        (await f.mails()).filter((m) =>
          m.kind === "security_two_factor_disabled"
        ).length,
        1,
      );
    } finally {
      await f.close();
    }
  },
);

dbTest(
  "new recovery codes: the old ones stop working, the new ones work, and it is audited",
  async (db) => {
    const f = await accountFixture(db);
    try {
      const ada = await f.user("ada@example.com");
      const old = await turnOnTwoFactor(
        f.deps,
        ada,
        await f.session(ada.id),
        META,
      );
      assert.ok(
        (await checkSecondFactor(f.deps, ada, { recoveryCode: old[0] }, META))
          .ok,
      );
      assert.equal(await countRecoveryCodesLeft(db, ada.id), 9);
      const fresh = await regenerateRecoveryCodes(f.deps, ada, META);
      assert.ok(fresh.ok);
      assert.equal(fresh.recoveryCodes.length, 10);
      assert.equal(
        fresh.recoveryCodes.filter((c) => old.includes(c)).length,
        0,
      );
      assert.equal(await countRecoveryCodesLeft(db, ada.id), 10);
      for (const code of old.slice(1, 4)) {
        const r = await checkSecondFactor(
          f.deps,
          ada,
          { recoveryCode: code },
          META,
        );
        assert.equal(r.ok, false, code);
      }
      const used = await checkSecondFactor(
        f.deps,
        ada,
        { recoveryCode: fresh.recoveryCodes[5].toUpperCase() },
        META,
      );
      assert.deepEqual(used, {
        ok: true,
        method: "recovery_code",
        recoveryCodesLeft: 9,
      });
      const events = (await listAuditForUser(db, ada.id)).map((e) => e.event);
      assert.ok(events.includes("auth.recovery_codes_regenerated"));
      // Only with two-factor on.
      const bob = await f.user("bob@example.com");
      const refused = await regenerateRecoveryCodes(f.deps, bob, META);
      assert.equal(!refused.ok && refused.error, TWO_FACTOR_WORDS.notOn);
      assert.equal(await countRecoveryCodesLeft(db, bob.id), 0);
    } finally {
      await f.close();
    }
  },
);

dbTest(
  "without a key (production with no ENCRYPTION_KEY) two-factor is unavailable and nothing is stored",
  async (db) => {
    const f = await accountFixture(db);
    try {
      const ada = await f.user("ada@example.com");
      f.deps.secrets = null;
      assert.deepEqual(await twoFactorStatus(f.deps, ada), {
        enabled: false,
        recoveryCodesLeft: 0,
        available: false,
      });
      const started = await startTwoFactorSetup(f.deps, ada);
      assert.equal(!started.ok && started.error, TWO_FACTOR_WORDS.unavailable);
      assert.equal(await getTotpSecretEncrypted(db, ada.id), null);
      const confirm = await confirmTwoFactorSetup(
        f.deps,
        ada,
        "s",
        "123456",
        META,
      );
      assert.equal(!confirm.ok && confirm.reason, "invalid");
    } finally {
      await f.close();
    }
  },
);
