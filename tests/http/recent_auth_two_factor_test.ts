/**
 * Confirm-access for an account with two-factor on, over HTTP on both
 * engines: the page asks for the password and a code (or, on its other
 * form, a recovery code); the JSON endpoint takes both. Codes are computed
 * from the secret the app stored, opened with the app's own key; a code is
 * accepted once (the same code on another session is refused), and a
 * recovery code once.
 */
import { match, ok, strictEqual } from "node:assert/strict";
import { codeFor } from "../../lib/auth/two_factor_testing.ts";
import {
  newRecoveryCodes,
  recoveryCodeHash,
} from "../../lib/auth/recovery_codes.ts";
import { SECOND_FACTOR_WORDS } from "../../lib/auth/second_factor.ts";
import { newTotpSecret } from "../../lib/auth/totp.ts";
import { replaceRecoveryCodes } from "../../lib/db/recovery_codes.ts";
import { setTwoFactor } from "../../lib/db/two_factor.ts";
import { createSecretBox, parseKey } from "../../lib/security/encryption.ts";
import {
  ageSession,
  appTest,
  assertJsonError,
  type AuthApp,
  Client,
  PASSWORD,
  uniqueEmail,
} from "../helpers/auth.ts";
import { TEST_ENCRYPTION_KEY } from "../helpers/encryption_key.ts";
import { getPage, HTML } from "../helpers/pages.ts";

const box = await createSecretBox(parseKey(TEST_ENCRYPTION_KEY)!);

/**
 * An account with two-factor on (its secret sealed with the app's key, as
 * setup stores it) and two sessions whose proof is 11 minutes old.
 */
async function twoFactorAccount(app: AuthApp) {
  const email = uniqueEmail("recent-2fa");
  const laptop = new Client(app);
  await laptop.register(email);
  const phone = new Client(app);
  await phone.login(email);
  await ageSession(app, laptop);
  await ageSession(app, phone);
  const userId = (await laptop.get("/api/auth/me")).json.user.id;
  const recovery = newRecoveryCodes();
  const db = await app.openDb();
  try {
    await setTwoFactor(db, userId, {
      secretEncrypted: await box.seal(newTotpSecret(), userId),
      enabled: true,
    });
    await replaceRecoveryCodes(
      db,
      userId,
      recovery.map((c) => recoveryCodeHash(userId, c)!),
      Date.now(),
    );
  } finally {
    await db.close();
  }
  /** The current code, from the secret the app stored. */
  const code = async () => {
    const db = await app.openDb();
    try {
      return await codeFor({ db, secrets: box }, userId, Date.now());
    } finally {
      await db.close();
    }
  };
  return { laptop, phone, recovery, code };
}

appTest(
  "two-factor on: the page asks for a code or a recovery code; the password alone is not enough",
  async (app) => {
    const { laptop, code } = await twoFactorAccount(app);
    const path = "/confirm-access?next=%2Fsettings%2Fpassword";
    const form = await getPage(laptop, path);
    strictEqual(form.status, 200);
    match(form.text, /name="code"/);
    match(form.text, /autocomplete="one-time-code"/);
    match(form.text, /inputmode="numeric"/);
    match(
      form.text,
      /href="\/confirm-access\?next=%2Fsettings%2Fpassword&amp;method=recovery"/,
    );
    const other = await getPage(laptop, `${path}&method=recovery`);
    match(other.text, /name="recoveryCode"/);
    strictEqual(other.text.includes('name="code"'), false);

    const alone = await laptop.post(path, {
      form: { password: PASSWORD },
      headers: HTML,
    });
    strictEqual(alone.status, 400);
    match(alone.text, /Enter the 6-digit code from your authenticator app/);
    const noRecovery = await laptop.post(`${path}&method=recovery`, {
      form: { password: PASSWORD, recoveryCode: "" },
      headers: HTML,
    });
    strictEqual(noRecovery.status, 400);
    match(noRecovery.text, /id="recoveryCode-error"/);
    strictEqual((await getPage(laptop, "/settings/password")).status, 303);

    const done = await laptop.post(path, {
      form: { password: PASSWORD, code: await code() },
      headers: HTML,
    });
    strictEqual(done.status, 303, done.text);
    strictEqual(done.headers.get("location"), "/settings/password");
    strictEqual((await getPage(laptop, "/settings/password")).status, 200);
  },
);

appTest(
  "two-factor on, JSON: password and code; the same code again is refused; a recovery code works once",
  async (app) => {
    const { laptop, phone, recovery, code } = await twoFactorAccount(app);
    const alone = await laptop.post("/api/auth/confirm-access", {
      json: { password: PASSWORD },
    });
    assertJsonError(alone, 400);
    strictEqual(alone.json.details.code, SECOND_FACTOR_WORDS.enterCode);

    const now = await code();
    const confirmed = await laptop.post("/api/auth/confirm-access", {
      json: { password: PASSWORD, code: now },
    });
    strictEqual(confirmed.status, 200, confirmed.text);
    ok(confirmed.json.confirmedUntil > Date.now());
    strictEqual(
      (await laptop.post("/api/auth/email/change", {
        json: { email: uniqueEmail("moved") },
      })).status,
      202,
    );

    // Seen over a shoulder and typed on the other session: refused.
    const replay = await phone.post("/api/auth/confirm-access", {
      json: { password: PASSWORD, code: now },
    });
    assertJsonError(replay, 400);
    strictEqual(replay.json.details.code, SECOND_FACTOR_WORDS.wrongCode);

    const viaRecovery = await phone.post("/api/auth/confirm-access", {
      json: { password: PASSWORD, recoveryCode: recovery[3] },
    });
    strictEqual(viaRecovery.status, 200, viaRecovery.text);
    const again = await laptop.post("/api/auth/confirm-access", {
      json: { password: PASSWORD, recoveryCode: recovery[3] },
    });
    assertJsonError(again, 400);
    strictEqual(
      again.json.details.recoveryCode,
      SECOND_FACTOR_WORDS.wrongRecovery,
    );
    const events = (await phone.get("/api/account/activity")).json.events
      .map((e: { event: string }) => e.event);
    ok(events.includes("auth.recovery_code_used"), JSON.stringify(events));
    ok(events.includes("auth.second_factor_failed"));
  },
);
