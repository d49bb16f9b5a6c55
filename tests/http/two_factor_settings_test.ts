/**
 * Turning two-factor on and off from settings, over HTTP on both engines:
 * the JSON endpoints and the plain-form page, each code computed from the
 * secret the app stored (read back through its own `open`), the recovery
 * codes shown once and stored only hashed, the security notices read from
 * a real SMTP server and the events on the activity page.
 */
import assert from "node:assert/strict";
import { describeEvent } from "../../lib/account/activity_words.ts";
import { RECOVERY_CODE_COUNT } from "../../lib/auth/recovery_codes.ts";
import type { AuditEventName } from "../../lib/db/audit.ts";
// Not a hook: named so it reads as "use up a code"; aliased for the linter.
import { useRecoveryCode as spendRecoveryCode } from "../../lib/db/recovery_codes.ts";
import { ENGINES } from "../../lib/db/testing.ts";
import {
  codeFor,
  secretFromKeyText,
  storedSecret,
  wrongCodeFor,
} from "../helpers/authenticator.ts";
import {
  type Answer,
  assertJsonError,
  type AuthApp,
  type Client,
  withApp,
} from "../helpers/auth.ts";
import { countShown, flashSet, getPage, HTML } from "../helpers/pages.ts";
import {
  enableOverJson,
  hashesOf,
  signedIn,
  storedHashes,
  TWO_FACTOR_API as API,
} from "../helpers/two_factor_account.ts";
import { startSmtp, type TestSmtp } from "../helpers/smtp.ts";

const PAGE = "/settings/two-factor";

let smtp: TestSmtp;

/** One test per engine, each with its own SMTP server and app. */
function mailTest(name: string, fn: (app: AuthApp) => Promise<void>) {
  for (const engine of ENGINES) {
    Deno.test(`${name} [${engine}]`, async () => {
      smtp = await startSmtp();
      try {
        await withApp(fn, {
          engine,
          env: { SMTP_URL: smtp.url, MAIL_FROM: "islet@example.com" },
        });
      } finally {
        await smtp.stop();
      }
    });
  }
}

async function status(me: Client) {
  const a = await me.get(API);
  assert.equal(a.status, 200, a.text);
  const { enabled, recoveryCodesLeft, available } = a.json;
  return { enabled, recoveryCodesLeft, available };
}

/** The events of the activity API and page, and that the page says each. */
async function assertActivity(me: Client, events: AuditEventName[]) {
  const api = await me.get("/api/account/activity");
  assert.equal(api.status, 200, api.text);
  const listed = api.json.events.map((e: { event: string }) => e.event);
  const page = await getPage(me, "/settings/activity");
  for (const event of events) {
    assert.ok(listed.includes(event), `${event} in ${listed.join(", ")}`);
    const sentence = describeEvent({ event, details: null });
    assert.ok(page.text.includes(`data-event="${event}"`), event);
    assert.ok(page.text.includes(sentence), sentence);
  }
}

/** No recovery code anywhere in the headers (Location, cookies). */
function assertNotInHeaders(a: Answer, codes: string[]) {
  for (const [name, value] of a.headers) {
    for (const code of codes) {
      assert.ok(!value.includes(code), `a recovery code in ${name}`);
    }
  }
}

const MAIL_SUBJECT = {
  on: /^Two-factor sign-in is on for your Islet account$/,
  off: /^Two-factor sign-in is off for your Islet account$/,
};

mailTest(
  "JSON: setup shows the stored secret; a wrong code keeps it; the right code turns two-factor on and gives 10 codes once, stored hashed; mail and activity",
  async (app) => {
    const { me, email, id } = await signedIn(app, "tfa-json");
    assert.deepEqual(await status(me), {
      enabled: false,
      recoveryCodesLeft: 0,
      available: true,
    });

    const setup = await me.post(`${API}/setup`);
    assert.equal(setup.status, 200, setup.text);
    assert.equal(setup.headers.get("cache-control"), "no-store");
    const { keyText, uri, qrSvg } = setup.json;
    assert.match(keyText, /^(?:[A-Z2-7]{4} )*[A-Z2-7]{1,4}$/);
    const secret = await storedSecret(app, id);
    assert.equal(secret.length, 20, "160 bits");
    assert.deepEqual(secretFromKeyText(keyText), secret, "the key is stored");
    const link = new URL(uri);
    assert.equal(link.protocol, "otpauth:");
    assert.equal(link.searchParams.get("secret"), keyText.replaceAll(" ", ""));
    assert.match(qrSvg, /^<svg[\s>]/);
    assert.doesNotMatch(qrSvg, /style|<script|on[a-z]+=/i);

    const wrong = await me.post(`${API}/enable`, {
      json: { code: wrongCodeFor(secret) },
    });
    assertJsonError(wrong, 400);
    assert.equal(typeof wrong.json.details.code, "string");
    const blank = await me.post(`${API}/enable`, { json: { code: " " } });
    assertJsonError(blank, 400);
    assert.equal(typeof blank.json.details.code, "string");
    assert.deepEqual(await storedSecret(app, id), secret, "the setup stays");
    assert.equal((await status(me)).enabled, false);

    const on = await me.post(`${API}/enable`, {
      json: { code: codeFor(secret) },
    });
    assert.equal(on.status, 200, on.text);
    assert.equal(on.headers.get("cache-control"), "no-store");
    const codes: string[] = on.json.recoveryCodes;
    assert.equal(codes.length, RECOVERY_CODE_COUNT);
    assert.equal(new Set(codes).size, RECOVERY_CODE_COUNT);
    assertNotInHeaders(on, codes);
    // Stored hashed: the database holds exactly their hashes, no code.
    const stored = await storedHashes(app, id);
    assert.deepEqual(stored, hashesOf(id, codes));
    for (const code of codes) {
      const bare = code.replaceAll("-", "").toLowerCase();
      assert.ok(!stored.some((h) => h.toLowerCase().includes(bare)));
    }
    assert.deepEqual(await status(me), {
      enabled: true,
      recoveryCodesLeft: RECOVERY_CODE_COUNT,
      available: true,
    });
    // Once: neither the status nor the page gives them back.
    for (const later of [await me.get(API), await getPage(me, PAGE)]) {
      for (const code of codes) assert.ok(!later.text.includes(code));
    }
    // On already: no new secret, no second set.
    assertJsonError(await me.post(`${API}/setup`), 409);
    assertJsonError(
      await me.post(`${API}/enable`, { json: { code: codeFor(secret, 1) } }),
      409,
    );
    assert.deepEqual(await storedSecret(app, id), secret);
    assert.deepEqual(await storedHashes(app, id), stored);

    await smtp.waitFor((m) =>
      m.to === email && MAIL_SUBJECT.on.test(m.subject)
    );
    await assertActivity(me, ["auth.two_factor_enabled"]);
  },
);

mailTest(
  "JSON: new recovery codes replace the old ones; turning off clears the secret, the flag and the codes; mail and activity",
  async (app) => {
    const { me, email, id } = await signedIn(app, "tfa-off");
    const { codes: first } = await enableOverJson(app, me, id);

    const again = await me.post(`${API}/recovery-codes`);
    assert.equal(again.status, 200, again.text);
    assert.equal(again.headers.get("cache-control"), "no-store");
    const second: string[] = again.json.recoveryCodes;
    assert.equal(second.length, RECOVERY_CODE_COUNT);
    assert.ok(second.every((c) => !first.includes(c)), "all new");
    assert.deepEqual(await storedHashes(app, id), hashesOf(id, second));
    assert.equal((await status(me)).recoveryCodesLeft, RECOVERY_CODE_COUNT);
    // Used as a sign-in would use them: an old code is refused, a new one
    // works once, and the count says so.
    const db = await app.openDb();
    try {
      const [oldHash] = hashesOf(id, first.slice(0, 1));
      const [newHash] = hashesOf(id, second.slice(0, 1));
      assert.equal(await spendRecoveryCode(db, id, oldHash, Date.now()), false);
      assert.equal(await spendRecoveryCode(db, id, newHash, Date.now()), true);
      assert.equal(await spendRecoveryCode(db, id, newHash, Date.now()), false);
    } finally {
      await db.close();
    }
    assert.equal((await status(me)).recoveryCodesLeft, RECOVERY_CODE_COUNT - 1);

    const off = await me.post(`${API}/disable`);
    assert.equal(off.status, 200, off.text);
    assert.equal(off.json.enabled, false);
    const after = await app.openDb();
    try {
      const row = await after.get(
        "SELECT totp_secret_encrypted, two_factor_enabled FROM users WHERE id = ?",
        [id],
      );
      assert.equal(row?.totp_secret_encrypted, null);
      assert.equal(Number(row?.two_factor_enabled), 0);
      const left = await after.get(
        "SELECT count(*) AS n FROM recovery_codes WHERE user_id = ?",
        [id],
      );
      assert.equal(Number(left?.n), 0);
    } finally {
      await after.close();
    }
    assert.deepEqual(await status(me), {
      enabled: false,
      recoveryCodesLeft: 0,
      available: true,
    });
    // Off: there are no codes to renew.
    assert.equal((await me.post(`${API}/recovery-codes`)).status, 400);

    await smtp.waitFor((m) =>
      m.to === email && MAIL_SUBJECT.off.test(m.subject)
    );
    await assertActivity(me, [
      "auth.two_factor_enabled",
      "auth.recovery_codes_regenerated",
      "auth.two_factor_disabled",
    ]);
  },
);

/** The text key shown on a page. */
function keyOnPage(html: string): string {
  const m = /data-testid="totp-key"[^>]*>\s*([A-Z2-7 ]+?)\s*</.exec(html);
  assert.ok(m, "the page shows the text key");
  return m[1];
}

/** The recovery codes shown on a page (outside the island's data). */
function codesOnPage(html: string): string[] {
  const list = /data-testid="recovery-codes"[^>]*>([\s\S]*?)<\/ol>/.exec(html);
  assert.ok(list, "the page shows recovery codes");
  return [...list[1].matchAll(/<code>([^<]+)<\/code>/g)].map((m) => m[1]);
}

mailTest(
  "page without JavaScript: set up, a wrong code (same key), turn on (codes once), new codes, turn off (flash)",
  async (app) => {
    const { me, email, id } = await signedIn(app, "tfa-page");
    const post = (form: Record<string, string>) =>
      me.post(PAGE, { form, headers: HTML });
    const shown: string[] = [];
    const check = (a: Answer) => {
      assert.equal(a.headers.get("cache-control"), "no-store");
      assertNotInHeaders(a, shown);
    };

    const security = await getPage(me, "/settings/security");
    assert.match(
      security.text,
      /<a [^>]*href="\/settings\/two-factor"[^>]*>Set up two-factor<\/a>/,
    );
    const off = await getPage(me, PAGE);
    assert.equal(off.status, 200);
    assert.match(off.text, /Two-factor authentication is off\./);
    assert.match(off.text, /name="action" value="setup"/);

    const started = await post({ action: "setup" });
    assert.equal(started.status, 200, started.text);
    check(started);
    const key = keyOnPage(started.text);
    const secret = await storedSecret(app, id);
    assert.deepEqual(secretFromKeyText(key), secret);
    assert.match(started.text, /data-testid="totp-qr"[^>]*><svg/);
    assert.match(started.text, /name="action" value="enable"/);

    const wrong = await post({ action: "enable", code: wrongCodeFor(secret) });
    assert.equal(wrong.status, 400);
    check(wrong);
    assert.match(wrong.text, /id="two-factor-code-error"/);
    assert.match(wrong.text, /aria-invalid="true"/);
    assert.equal(keyOnPage(wrong.text), key, "the same key, not a new setup");
    assert.deepEqual(await storedSecret(app, id), secret);

    const on = await post({ action: "enable", code: codeFor(secret) });
    assert.equal(on.status, 200, on.text);
    const codes = codesOnPage(on.text);
    shown.push(...codes);
    check(on);
    assert.equal(codes.length, RECOVERY_CODE_COUNT);
    for (const code of codes) assert.equal(countShown(on.text, code), 1);
    assert.match(on.text, /Two-factor authentication is on/);
    assert.match(on.text, /they will not be shown again/);
    assert.deepEqual(await storedHashes(app, id), hashesOf(id, codes));

    const later = await getPage(me, PAGE);
    check(later);
    assert.match(later.text, /Two-factor authentication is on\./);
    assert.match(later.text, /10 recovery codes left\./);
    for (const code of codes) assert.ok(!later.text.includes(code));
    assert.match(
      (await getPage(me, "/settings/security")).text,
      />Manage two-factor<\/a>/,
    );

    const renewed = await post({ action: "regenerate" });
    assert.equal(renewed.status, 200, renewed.text);
    const second = codesOnPage(renewed.text);
    shown.push(...second);
    check(renewed);
    assert.equal(second.length, RECOVERY_CODE_COUNT);
    assert.ok(second.every((c) => !codes.includes(c)));
    assert.match(renewed.text, /The old ones no longer work/);
    assert.deepEqual(await storedHashes(app, id), hashesOf(id, second));

    const ended = await post({ action: "disable" });
    assert.equal(ended.status, 303);
    assert.equal(ended.headers.get("location"), PAGE);
    assert.equal(flashSet(ended)?.value, "two_factor_disabled");
    check(ended);
    const after = await getPage(me, PAGE, "two_factor_disabled");
    assert.equal(
      countShown(after.text, "Two-factor authentication is off."),
      2,
    );
    assert.match(
      after.text,
      /role="status"[^>]*>Two-factor authentication is off\. Signing in/,
    );
    assert.equal(flashSet(after)?.value, "");
    assert.deepEqual(await storedHashes(app, id), []);

    const unknown = await post({ action: "nope" });
    assert.equal(unknown.status, 400);
    assert.match(unknown.text, /role="alert"/);
    await smtp.waitFor((m) =>
      m.to === email && MAIL_SUBJECT.on.test(m.subject)
    );
  },
);
