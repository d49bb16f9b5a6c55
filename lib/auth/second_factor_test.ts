import assert from "node:assert/strict";
import { listAuditForUser } from "../db/audit.ts";
import { dbTest } from "../db/testing.ts";
import { getTotpSecretEncrypted } from "../db/two_factor.ts";
import { createSecretBox, KEY_BYTES, keyId } from "../security/encryption.ts";
import { accountFixture, META } from "./account_testing.ts";
import {
  checkSecondFactor,
  recoveryCodesLeftWords,
  SECOND_FACTOR_WORDS,
} from "./second_factor.ts";
import { codeFor, turnOnTwoFactor } from "./two_factor_testing.ts";

const STEP = 30_000;

/** A fixture with ada's two-factor on, the clock one step past the setup. */
async function withTwoFactor(db: Parameters<typeof accountFixture>[0]) {
  const f = await accountFixture(db);
  const ada = await f.user("ada@example.com");
  const recoveryCodes = await turnOnTwoFactor(
    f.deps,
    ada,
    await f.session(ada.id),
    META,
  );
  f.clock.t += STEP;
  return { f, ada, recoveryCodes };
}

dbTest(
  "an authenticator code is accepted once: the same code again is refused",
  async (db) => {
    const { f, ada } = await withTwoFactor(db);
    try {
      const code = await codeFor(f.deps, ada.id, f.clock.t);
      const spaced = `${code.slice(0, 3)} ${code.slice(3)}`;
      assert.deepEqual(
        await checkSecondFactor(f.deps, ada, { code: spaced }, META),
        {
          ok: true,
          method: "totp",
          recoveryCodesLeft: 10,
        },
      );
      const replay = await checkSecondFactor(f.deps, ada, { code }, META);
      assert.equal(
        !replay.ok && replay.details?.code,
        SECOND_FACTOR_WORDS.wrongCode,
      );
      // Nor does the previous step's code, though within the drift window.
      const earlier = await codeFor(f.deps, ada.id, f.clock.t, -1);
      if (earlier !== code) {
        assert.equal(
          (await checkSecondFactor(f.deps, ada, { code: earlier }, META)).ok,
          false,
        );
      }
      // The next step's is fine.
      f.clock.t += STEP;
      const next = await codeFor(f.deps, ada.id, f.clock.t);
      assert.ok(
        (await checkSecondFactor(f.deps, ada, { code: next }, META)).ok,
      );
      const events = (await listAuditForUser(db, ada.id)).map((e) => e.event);
      assert.ok(events.includes("auth.second_factor_failed"));
      const failed = (await listAuditForUser(db, ada.id)).find((e) =>
        e.event === "auth.second_factor_failed"
      );
      assert.deepEqual(failed?.details, { method: "totp" });
    } finally {
      await f.close();
    }
  },
);

dbTest(
  "two concurrent checks with the same code: exactly one is accepted",
  async (db) => {
    const { f, ada } = await withTwoFactor(db);
    try {
      for (let round = 0; round < 3; round++) {
        f.clock.t += STEP;
        const code = await codeFor(f.deps, ada.id, f.clock.t);
        const results = await Promise.all(
          Array.from(
            { length: 4 },
            () => checkSecondFactor(f.deps, ada, { code }, META),
          ),
        );
        assert.equal(
          results.filter((r) => r.ok).length,
          1,
          `round ${round}`,
        );
      }
    } finally {
      await f.close();
    }
  },
);

dbTest(
  "drift: a code one step early or late is accepted, two steps refused",
  async (db) => {
    const { f, ada } = await withTwoFactor(db);
    try {
      f.clock.t += 10 * STEP;
      const near = [-1, 0, 1].map((d) => codeFor(f.deps, ada.id, f.clock.t, d));
      const nearCodes = await Promise.all(near);
      for (const d of [-2, 2]) {
        const far = await codeFor(f.deps, ada.id, f.clock.t, d);
        if (nearCodes.includes(far)) continue; // 1 in 10^6: the same digits
        const r = await checkSecondFactor(f.deps, ada, { code: far }, META);
        assert.equal(r.ok, false, `drift ${d}`);
      }
      // One early (the phone is behind), then one late (ahead): both fine.
      const early = await codeFor(f.deps, ada.id, f.clock.t, -1);
      assert.ok(
        (await checkSecondFactor(f.deps, ada, { code: early }, META)).ok,
      );
      const late = await codeFor(f.deps, ada.id, f.clock.t, 1);
      assert.ok(
        (await checkSecondFactor(f.deps, ada, { code: late }, META)).ok,
      );
    } finally {
      await f.close();
    }
  },
);

dbTest(
  "the 6th wrong code in 15 minutes is refused as rate limited, even with the right code; it wears off, and a success clears it",
  async (db) => {
    const { f, ada } = await withTwoFactor(db);
    try {
      const right = await codeFor(f.deps, ada.id, f.clock.t);
      const wrongCode = right === "000000" ? "000001" : "000000";
      for (let i = 1; i <= 5; i++) {
        const r = await checkSecondFactor(
          f.deps,
          ada,
          { code: wrongCode },
          META,
        );
        assert.equal(!r.ok && r.reason, "invalid", `attempt ${i}`);
      }
      const sixth = await checkSecondFactor(f.deps, ada, { code: right }, META);
      assert.equal(!sixth.ok && sixth.reason, "rate_limited");
      assert.equal(!sixth.ok && sixth.by, "account");
      assert.ok(!sixth.ok && sixth.retryAfterSeconds! > 0);
      // Recovery codes share the budget.
      const recovery = await checkSecondFactor(f.deps, ada, {
        recoveryCode: "0000-0000-0000",
      }, META);
      assert.equal(!recovery.ok && recovery.reason, "rate_limited");
      // Malformed input is refused before counting: no guess was made.
      const malformed = await checkSecondFactor(
        f.deps,
        ada,
        { code: "12345" },
        META,
      );
      assert.equal(
        !malformed.ok && malformed.details?.code,
        SECOND_FACTOR_WORDS.enterCode,
      );

      // The limiter's window slides: two windows later, nothing is left.
      f.clock.t += 30 * 60_000;
      const later = await codeFor(f.deps, ada.id, f.clock.t);
      assert.ok(
        (await checkSecondFactor(f.deps, ada, { code: later }, META)).ok,
      );
      // A success clears the count: five more wrong codes are allowed.
      for (let i = 1; i <= 5; i++) {
        const r = await checkSecondFactor(
          f.deps,
          ada,
          { code: wrongCode },
          META,
        );
        assert.equal(
          !r.ok && r.reason,
          "invalid",
          `after success, attempt ${i}`,
        );
      }
    } finally {
      await f.close();
    }
  },
);

dbTest(
  "a recovery code works once, says how many are left, and emails the owner",
  async (db) => {
    const { f, ada, recoveryCodes } = await withTwoFactor(db);
    try {
      const typed = ` ${recoveryCodes[2].toUpperCase().replaceAll("-", " ")} `;
      assert.deepEqual(
        await checkSecondFactor(f.deps, ada, { recoveryCode: typed }, META),
        { ok: true, method: "recovery_code", recoveryCodesLeft: 9 },
      );
      const again = await checkSecondFactor(f.deps, ada, {
        recoveryCode: recoveryCodes[2],
      }, META);
      assert.equal(
        !again.ok && again.details?.recoveryCode,
        SECOND_FACTOR_WORDS.wrongRecovery,
      );
      const malformed = await checkSecondFactor(f.deps, ada, {
        recoveryCode: "letmein",
      }, META);
      assert.equal(
        !malformed.ok && malformed.details?.recoveryCode,
        SECOND_FACTOR_WORDS.malformedRecovery,
      );
      const mails = (await f.mails()).filter((m) =>
        m.kind === "security_recovery_code_used"
      );
      assert.equal(mails.length, 1);
      assert.equal(mails[0].to, "ada@example.com");
      assert.match(mails[0].text, /A recovery code was used/);
      assert.match(mails[0].text, /You have 9 recovery codes left\./);
      assert.doesNotMatch(mails[0].text, /Make new ones soon/);
      assert.match(mails[0].text, /This wasn't me/);
      assert.ok(!mails[0].text.includes(recoveryCodes[2]));
      const used = (await listAuditForUser(db, ada.id)).find((e) =>
        e.event === "auth.recovery_code_used"
      );
      assert.deepEqual(used?.details, { left: 9 });

      // Down to the last ones, the email says what to do.
      for (const code of recoveryCodes.filter((_, i) => i !== 2).slice(0, 7)) {
        assert.ok(
          (await checkSecondFactor(f.deps, ada, { recoveryCode: code }, META))
            .ok,
        );
      }
      const last = (await f.mails()).filter((m) =>
        m.kind === "security_recovery_code_used"
      ).at(-1)!;
      assert.match(last.text, /You have 2 recovery codes left\./);
      assert.match(last.text, /Make new ones soon/);
      assert.deepEqual(recoveryCodesLeftWords(1).slice(0, 1), [
        "You have 1 recovery code left.",
      ]);
      assert.deepEqual(recoveryCodesLeftWords(0).slice(0, 1), [
        "You have no recovery codes left.",
      ]);
      assert.equal(recoveryCodesLeftWords(4).length, 1);
    } finally {
      await f.close();
    }
  },
);

dbTest(
  "two concurrent uses of one recovery code: exactly one is accepted, one email",
  async (db) => {
    const { f, ada, recoveryCodes } = await withTwoFactor(db);
    try {
      const results = await Promise.all(
        Array.from(
          { length: 4 },
          () =>
            checkSecondFactor(
              f.deps,
              ada,
              { recoveryCode: recoveryCodes[0] },
              META,
            ),
        ),
      );
      assert.equal(results.filter((r) => r.ok).length, 1);
      assert.equal(
        (await f.mails()).filter((m) =>
          m.kind === "security_recovery_code_used"
        ).length,
        1,
      );
    } finally {
      await f.close();
    }
  },
);

dbTest(
  "a secret sealed under the previous key is accepted and sealed again under the current one",
  async (db) => {
    const { f, ada } = await withTwoFactor(db);
    try {
      const before = (await getTotpSecretEncrypted(db, ada.id))!;
      assert.equal(before.split(".")[1], await keyId(f.secretKey));
      // The operator rotates: a new ENCRYPTION_KEY, the old one as previous.
      const current = crypto.getRandomValues(new Uint8Array(KEY_BYTES));
      f.deps.secrets = await createSecretBox(current, [f.secretKey]);
      const code = await codeFor(f.deps, ada.id, f.clock.t);
      assert.ok((await checkSecondFactor(f.deps, ada, { code }, META)).ok);
      const after = (await getTotpSecretEncrypted(db, ada.id))!;
      assert.notEqual(after, before);
      assert.equal(after.split(".")[1], await keyId(current));
      // The replay guard survived the re-seal.
      assert.equal(
        (await checkSecondFactor(f.deps, ada, { code }, META)).ok,
        false,
      );
      // The old key can go: the next code is checked with the new one alone.
      f.deps.secrets = await createSecretBox(current);
      f.clock.t += STEP;
      const next = await codeFor(f.deps, ada.id, f.clock.t);
      assert.ok(
        (await checkSecondFactor(f.deps, ada, { code: next }, META)).ok,
      );
    } finally {
      await f.close();
    }
  },
);

dbTest(
  "fails closed: no key, a key that does not open the secret, two-factor off, nothing typed",
  async (db) => {
    const { f, ada, recoveryCodes } = await withTwoFactor(db);
    const errors = console.error;
    const logged: string[] = [];
    try {
      const code = await codeFor(f.deps, ada.id, f.clock.t);
      const box = f.deps.secrets;
      f.deps.secrets = null;
      for (const input of [{ code }, { recoveryCode: recoveryCodes[0] }]) {
        const r = await checkSecondFactor(f.deps, ada, input, META);
        assert.equal(!r.ok && r.error, SECOND_FACTOR_WORDS.unavailable);
      }
      // ENCRYPTION_KEY changed without ENCRYPTION_KEY_PREVIOUS.
      f.deps.secrets = await createSecretBox(
        crypto.getRandomValues(new Uint8Array(32)),
      );
      console.error = (...args: unknown[]) => logged.push(args.join(" "));
      const unreadable = await checkSecondFactor(f.deps, ada, { code }, META);
      console.error = errors;
      assert.equal(
        !unreadable.ok && unreadable.error,
        SECOND_FACTOR_WORDS.unreadable,
      );
      assert.equal(logged.length, 1);
      assert.ok(!logged[0].includes(code));
      // Recovery codes need no key to be checked.
      assert.ok(
        (await checkSecondFactor(f.deps, ada, {
          recoveryCode: recoveryCodes[0],
        }, META)).ok,
      );
      f.deps.secrets = box;
      const nothing = await checkSecondFactor(f.deps, ada, {}, META);
      assert.equal(
        !nothing.ok && nothing.details?.code,
        SECOND_FACTOR_WORDS.enterCode,
      );
      const bob = await f.user("bob@example.com");
      const off = await checkSecondFactor(
        f.deps,
        bob,
        { code: "123456" },
        META,
      );
      assert.equal(!off.ok && off.error, SECOND_FACTOR_WORDS.unavailable);
    } finally {
      console.error = errors;
      await f.close();
    }
  },
);
