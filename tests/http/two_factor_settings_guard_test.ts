/**
 * What guards the two-factor settings, over HTTP on both engines: turning
 * it off and new recovery codes need a recent sign-in (the page is sent to
 * confirm-access, JSON gets a 403) and change nothing without one; a
 * server without an encryption key says two-factor is unavailable; bad
 * input is a clear 4xx, never a 500; the per-account limits answer 429.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { RECOVERY_CODE_COUNT } from "../../lib/auth/recovery_codes.ts";
import {
  CONFIRM_ACCESS_API,
  CONFIRM_ACCESS_PATH,
} from "../../lib/web/recent_auth.ts";
import { RATE_LIMITS } from "../../lib/security/rate_limit.ts";
import {
  codeFor,
  storedSecret,
  wrongCodeFor,
} from "../helpers/authenticator.ts";
import {
  ageSession,
  appTest,
  assertJsonError,
  Client,
  PASSWORD,
} from "../helpers/auth.ts";
import { getPage, HTML } from "../helpers/pages.ts";
import {
  enableOverJson,
  hashesOf,
  signedIn,
  storedHashes,
  TWO_FACTOR_API as API,
} from "../helpers/two_factor_account.ts";

const PAGE = "/settings/two-factor";

appTest(
  "an old sign-in cannot turn two-factor off or renew the codes: the page asks to confirm access, JSON is 403; confirming access, or a new sign-in with its second factor, can",
  async (app) => {
    const { me, email, id } = await signedIn(app, "tfa-gate");
    const { codes, secret } = await enableOverJson(app, me, id);
    await ageSession(app, me.sessionId!);

    for (const action of ["disable", "regenerate"]) {
      const page = await me.post(PAGE, { form: { action }, headers: HTML });
      assert.equal(page.status, 303, `${action}: ${page.text}`);
      assert.equal(
        page.headers.get("location"),
        `${CONFIRM_ACCESS_PATH}?next=${encodeURIComponent(PAGE)}`,
      );
    }
    for (const path of ["disable", "recovery-codes"]) {
      const json = await me.post(`${API}/${path}`);
      assertJsonError(json, 403);
      assert.equal(json.json.details.reauthenticate, CONFIRM_ACCESS_API);
    }
    // Nothing changed, and the page itself still shows where things stand.
    assert.deepEqual(await storedSecret(app, id), secret);
    assert.deepEqual(await storedHashes(app, id), hashesOf(id, codes));
    const shown = await getPage(me, PAGE);
    assert.equal(shown.status, 200);
    assert.match(shown.text, /Two-factor authentication is on\./);

    // Confirming access (password and a code, two-factor being on) brings
    // the same session back to the actions.
    const confirmed = await me.post(CONFIRM_ACCESS_API, {
      json: { password: PASSWORD, code: codeFor(secret, 1) },
    });
    assert.equal(confirmed.status, 200, confirmed.text);
    const renewed = await me.post(`${API}/recovery-codes`);
    assert.equal(renewed.status, 200, renewed.text);
    assert.equal(renewed.json.recoveryCodes.length, RECOVERY_CODE_COUNT);
    assert.deepEqual(
      await storedHashes(app, id),
      hashesOf(id, renewed.json.recoveryCodes),
    );

    // So does a new sign-in on another device: the password, then (both
    // codes of the window being used) one of the new recovery codes.
    await ageSession(app, me.sessionId!);
    const fresh = new Client(app);
    const waiting = await fresh.post("/api/auth/login", {
      json: { email, password: PASSWORD },
    });
    assert.equal(waiting.json.secondFactor, true, waiting.text);
    const signedInNow = await fresh.post("/api/auth/two-factor", {
      json: { recoveryCode: renewed.json.recoveryCodes[0] },
    });
    assert.equal(signedInNow.status, 200, signedInNow.text);
    const off = await fresh.post(PAGE, {
      form: { action: "disable" },
      headers: HTML,
    });
    assert.equal(off.status, 303);
    assert.equal(off.headers.get("location"), PAGE);
    assert.deepEqual(await storedHashes(app, id), []);
    assert.equal((await fresh.get(API)).json.enabled, false);
  },
);

appTest(
  "without an encryption key two-factor is unavailable: the page says so, setup is refused, nothing is stored",
  async (app) => {
    const { me, id } = await signedIn(app, "tfa-nokey");
    const status = await me.get(API);
    assert.equal(status.status, 200);
    assert.equal(status.json.available, false);
    assert.equal(status.json.enabled, false);
    const page = await getPage(me, PAGE);
    assert.equal(page.status, 200);
    assert.match(page.text, /data-testid="two-factor-unavailable"/);
    assert.match(page.text, /ENCRYPTION_KEY/);
    assert.doesNotMatch(page.text, /value="setup"/);
    assert.match(
      (await getPage(me, "/settings/security")).text,
      /Not available on this server yet/,
    );
    assertJsonError(await me.post(`${API}/setup`), 400);
    const form = await me.post(PAGE, {
      form: { action: "setup" },
      headers: HTML,
    });
    assert.equal(form.status, 400);
    assert.match(form.text, /data-testid="two-factor-unavailable"/);
    const db = await app.openDb();
    try {
      const row = await db.get(
        "SELECT totp_secret_encrypted FROM users WHERE id = ?",
        [id],
      );
      assert.equal(row?.totp_secret_encrypted, null);
    } finally {
      await db.close();
    }
  },
  { env: { ENCRYPTION_KEY: "" } },
);

appTest(
  "signed out: every endpoint is 401 and the page sends you to sign in",
  async (app) => {
    const nobody = new Client(app);
    assertJsonError(await nobody.get(API), 401);
    for (const path of ["setup", "enable", "disable", "recovery-codes"]) {
      assertJsonError(
        await nobody.post(`${API}/${path}`, { json: { code: "123456" } }),
        401,
      );
    }
    for (const method of ["GET", "POST"]) {
      const page = await nobody.request(method, PAGE, {
        form: method === "POST" ? { action: "disable" } : undefined,
        headers: HTML,
      });
      assert.equal(page.status, 303);
      assert.equal(
        page.headers.get("location"),
        `/login?next=${encodeURIComponent(PAGE)}`,
      );
    }
  },
);

appTest(
  "bad input to enable is a 4xx naming the field, never a 500, and turns nothing on",
  async (app) => {
    const { me, id } = await signedIn(app, "tfa-input");
    assert.equal((await me.post(`${API}/setup`)).status, 200);
    const secret = await storedSecret(app, id);
    const enable = (init: { body?: string; type?: string }) =>
      me.post(`${API}/enable`, {
        body: init.body,
        headers: init.type ? { "content-type": init.type } : {},
      });
    assertJsonError(await enable({ body: "code=1", type: "text/plain" }), 415);
    assertJsonError(
      await enable({ body: "{", type: "application/json" }),
      400,
    );
    assertJsonError(
      await enable({ body: "[1]", type: "application/json" }),
      400,
    );
    for (const code of [123456, null, ["123456"], "1".repeat(40)]) {
      const a = await me.post(`${API}/enable`, { json: { code } });
      assertJsonError(a, 400);
      assert.equal(typeof a.json.details?.code, "string", JSON.stringify(code));
    }
    // Whatever is typed: 400 with the field named, and still off.
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: "binary", maxLength: 40 }), async (
        code,
      ) => {
        fc.pre(code.replace(/\s/g, "") !== codeFor(secret));
        const a = await me.post(`${API}/enable`, { json: { code } });
        assertJsonError(a, 400);
        assert.equal(typeof a.json.details?.code, "string");
      }),
      { numRuns: 60 },
    );
    assert.equal((await me.get(API)).json.enabled, false);
    assert.deepEqual(await storedSecret(app, id), secret);
  },
  { env: { RATE_LIMITS: "off" } },
);

appTest(
  "the 6th wrong code in 15 minutes is 429, the right one too until then; the settings limit is per account",
  async (app) => {
    const { me, email, id } = await signedIn(app, "tfa-limit");
    assert.equal((await me.post(`${API}/setup`)).status, 200);
    const secret = await storedSecret(app, id);
    for (let i = 0; i < 5; i++) {
      assertJsonError(
        await me.post(`${API}/enable`, {
          json: { code: wrongCodeFor(secret) },
        }),
        400,
      );
    }
    const sixth = await me.post(`${API}/enable`, {
      json: { code: codeFor(secret) },
    });
    assertJsonError(sixth, 429);
    assert.ok(Number(sixth.headers.get("retry-after")) > 0);
    assert.equal((await me.get(API)).json.enabled, false);
    // The page says it too, and keeps the key on screen.
    const page = await me.post(PAGE, {
      form: { action: "enable", code: codeFor(secret) },
      headers: HTML,
    });
    assert.equal(page.status, 429);
    assert.match(page.text, /data-testid="totp-key"/);

    // Setting up again and again: the per-account limit, from any device.
    const other = new Client(app);
    await other.login(email);
    const used = 8; // one setup, six enables and the page's above
    for (let i = used; i < RATE_LIMITS.twoFactor.limit; i++) {
      const a = await (i % 2 ? me : other).post(`${API}/setup`);
      assert.equal(a.status, 200, `setup ${i + 1}: ${a.text}`);
    }
    const over = await other.post(`${API}/setup`);
    assertJsonError(over, 429);
    assert.ok(Number(over.headers.get("retry-after")) > 0);
  },
);
