/**
 * The second step of a sign-in with two-factor on, over HTTP on both
 * engines: a code (computed from the stored secret) or a recovery code
 * replaces the pending session with a new, verified one and goes to
 * `next`; a code works once; wrong codes are refused, audited and limited;
 * after a recovery code the next page says how many are left; the
 * new-device mail waits for the code. The page (plain form) and the JSON
 * endpoint are both driven.
 */
import {
  deepStrictEqual,
  match,
  notStrictEqual,
  ok,
  strictEqual,
} from "node:assert/strict";
import {
  appTest,
  assertJsonError,
  type AuthApp,
  Client,
} from "../helpers/auth.ts";
import { flashSet, getPage, HTML } from "../helpers/pages.ts";
import {
  pendingClient,
  sessionRow,
  twoFactorAccount,
} from "../helpers/two_factor.ts";

const FIREFOX =
  "Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0";

/** The account's audit events, oldest first, with their details. */
async function events(
  app: AuthApp,
  userId: string,
): Promise<{ event: string; details: Record<string, unknown> | null }[]> {
  const db = await app.openDb();
  try {
    const rows = await db.all(
      "SELECT event, details FROM audit_log WHERE user_id = ? ORDER BY id",
      [userId],
    );
    return rows.map((r) => ({
      event: String(r.event),
      details: r.details === null ? null : JSON.parse(String(r.details)),
    }));
  } finally {
    await db.close();
  }
}

async function sessionCount(app: AuthApp, userId: string): Promise<number> {
  const db = await app.openDb();
  try {
    const row = await db.get<{ n: number }>(
      "SELECT count(*) AS n FROM sessions WHERE user_id = ?",
      [userId],
    );
    return Number(row?.n);
  } finally {
    await db.close();
  }
}

appTest(
  "password then code (page form): a new verified session replaces the pending one, then on to next; the same code again is refused",
  async (app) => {
    const account = await twoFactorAccount(app);
    const c = await pendingClient(app, account);
    const pendingId = c.sessionId!;
    const pendingCookie = c.cookie;
    const code = await account.code();
    const done = await c.post(
      "/login/two-factor?next=%2Fsettings%2Fsessions",
      { form: { code: `${code.slice(0, 3)} ${code.slice(3)}` }, headers: HTML },
    );
    strictEqual(done.status, 303, done.text);
    strictEqual(done.headers.get("location"), "/settings/sessions");
    notStrictEqual(c.sessionId, pendingId, "a new session id");
    strictEqual(
      await sessionRow(app, pendingId),
      null,
      "the pending one is gone",
    );
    const row = await sessionRow(app, c.sessionId!);
    strictEqual(row?.twoFactorVerified, true);
    strictEqual(row?.secondFactorPending, false);
    ok(row!.expiresAt - row!.createdAt > 29 * 86_400_000, "a full lifetime");
    strictEqual(flashSet(done), null, "no notice after an app code");
    strictEqual(await c.meStatus(), 200);
    const list = await getPage(c, "/settings/sessions");
    match(list.text, /Two-factor verified/);
    // The pending token is worth nothing now.
    strictEqual(
      (await c.get("/api/auth/me", { cookie: pendingCookie })).status,
      401,
    );

    const log = await events(app, account.userId);
    deepStrictEqual(log.at(-1), {
      event: "auth.second_factor_passed",
      details: { method: "totp" },
    });

    // Replayed by someone else who got the password: refused.
    const thief = await pendingClient(app, account);
    const replay = await thief.post("/api/auth/two-factor", {
      json: { code },
    });
    assertJsonError(replay, 400);
    match(replay.json.details.code, /not right, or was already used/);
    strictEqual(await thief.meStatus(), 401);
    strictEqual(
      (await sessionRow(app, thief.sessionId!))?.secondFactorPending,
      true,
    );
    strictEqual(
      (await events(app, account.userId)).at(-1)?.event,
      "auth.second_factor_failed",
    );
  },
);

appTest(
  "wrong codes: 400 with the field error and audited; the 6th in 15 minutes is 429 with Retry-After, even with the right code",
  async (app) => {
    const account = await twoFactorAccount(app);
    const c = await pendingClient(app, account);
    // A malformed code is said so and costs no attempt.
    const empty = await c.post("/login/two-factor", {
      form: { code: "12ab" },
      headers: HTML,
    });
    strictEqual(empty.status, 400);
    match(empty.text, /Enter the 6-digit code from your authenticator app/);
    match(
      empty.text,
      /<input[^>]*aria-invalid="true"[^>]*name="code"|<input[^>]*name="code"[^>]*aria-invalid="true"/,
    );
    for (let i = 0; i < 5; i++) {
      const wrong = await c.post("/login/two-factor", {
        form: { code: await account.wrongCode() },
        headers: HTML,
      });
      strictEqual(wrong.status, 400, `attempt ${i + 1}`);
      match(wrong.text, /That code is not right, or was already used/);
      match(wrong.text, /aria-describedby="code-error"/);
    }
    const failed = (await events(app, account.userId)).filter((e) =>
      e.event === "auth.second_factor_failed"
    );
    strictEqual(failed.length, 5);
    deepStrictEqual(failed[0].details, { method: "totp" });

    const sixth = await c.post("/api/auth/two-factor", {
      json: { code: await account.code() },
    });
    assertJsonError(sixth, 429);
    ok(Number(sixth.headers.get("retry-after")) > 0, "Retry-After");
    match(sixth.json.error, /Too many wrong codes/);
    const page = await c.post("/login/two-factor", {
      form: { code: await account.wrongCode() },
      headers: HTML,
    });
    strictEqual(page.status, 429);
    ok(Number(page.headers.get("retry-after")) > 0);
    match(page.text, /Too many wrong codes; try again in \d+ seconds/);
    // Per account: a new sign-in from elsewhere is refused as well.
    const elsewhere = await pendingClient(app, account);
    assertJsonError(
      await elsewhere.post("/api/auth/two-factor", {
        json: { code: await account.usedCode() }, // right, and never accepted
      }),
      429,
    );
    strictEqual(await c.meStatus(), 401);
  },
);

appTest(
  "the code page and endpoint are limited per network too (the auth policy: 11 in 5 minutes)",
  async (app) => {
    const account = await twoFactorAccount(app);
    const c = await pendingClient(app, account); // the 1st auth request
    for (let i = 0; i < 10; i++) {
      // Malformed: refused before the account's count.
      const a = await c.post("/api/auth/two-factor", { json: { code: "x" } });
      strictEqual(a.status, 400, `request ${i + 2}`);
    }
    const limited = await c.post("/login/two-factor", {
      form: { code: await account.code() },
      headers: HTML,
    });
    strictEqual(limited.status, 429);
    ok(Number(limited.headers.get("retry-after")) > 0);
    match(limited.text, /Too many attempts from your network/);
  },
);

appTest(
  "a recovery code signs in once; the next page says how many are left, warns at 3 or fewer; the JSON says it too",
  async (app) => {
    const account = await twoFactorAccount(app);
    const [first, second] = account.recoveryCodes;
    const c = await pendingClient(app, account);
    const typed = ` ${first.toUpperCase().replaceAll("-", " ")} `;
    const done = await c.post(
      "/login/two-factor?next=%2Fsettings&method=recovery",
      { form: { recoveryCode: typed }, headers: HTML },
    );
    strictEqual(done.status, 303, done.text);
    strictEqual(done.headers.get("location"), "/settings");
    strictEqual(flashSet(done)?.value, "recovery_code_used.9");
    strictEqual((await sessionRow(app, c.sessionId!))?.twoFactorVerified, true);
    // The next page, whichever it is, says so once.
    const next = await getPage(c, "/settings", flashSet(done)!.value);
    strictEqual(next.status, 200);
    match(
      next.text,
      /data-testid="page-banner"[\s\S]*You signed in with a recovery code\. It cannot be used again; 9 are left\./,
    );
    strictEqual(
      flashSet(next)?.value,
      "",
      "cleared by the page that showed it",
    );
    strictEqual(next.headers.get("cache-control"), "no-store");
    // A redirect on the way leaves it for the page after.
    const via = await getPage(c, "/login", flashSet(done)!.value);
    strictEqual(via.status, 303);
    strictEqual(flashSet(via), null);
    const log = await events(app, account.userId);
    deepStrictEqual(log.slice(-2).map((e) => e.event), [
      "auth.recovery_code_used",
      "auth.second_factor_passed",
    ]);
    deepStrictEqual(log.at(-1)?.details, { method: "recovery_code" });

    // Used: refused the second time.
    const again = await pendingClient(app, account);
    const refused = await again.post("/api/auth/two-factor", {
      json: { recoveryCode: first },
    });
    assertJsonError(refused, 400);
    match(refused.json.details.recoveryCode, /already used/);
    const page = await again.post("/login/two-factor?method=recovery", {
      form: { recoveryCode: "not a code" },
      headers: HTML,
    });
    strictEqual(page.status, 400);
    match(page.text, /A recovery code has 12 letters and digits/);
    match(page.text, /name="recoveryCode"/);

    // JSON: the count, and the same notice for the page the browser opens.
    const viaJson = await again.post("/api/auth/two-factor", {
      json: { recoveryCode: second },
    });
    strictEqual(viaJson.status, 200, viaJson.text);
    strictEqual(viaJson.json.method, "recovery_code");
    strictEqual(viaJson.json.recoveryCodesLeft, 8);
    strictEqual(flashSet(viaJson)?.value, "recovery_code_used.8");

    // Down to 3: the notice is a warning.
    for (const code of account.recoveryCodes.slice(2, 7)) {
      const p = await pendingClient(app, account);
      strictEqual(
        (await p.post("/api/auth/two-factor", { json: { recoveryCode: code } }))
          .status,
        200,
      );
    }
    const few = await getPage(c, "/dashboard", "recovery_code_used.3");
    match(
      few.text,
      /Only 3 are left: make a new set in Settings, under Security, before you run out\./,
    );
    match(few.text, /role="status"[^>]*class="[^"]*border-amber-700/);
  },
);

appTest(
  "the new-device mail waits for the code, and goes out after it",
  async (app) => {
    const account = await twoFactorAccount(app);
    const waiting = await pendingClient(app, account, { userAgent: FIREFOX });
    const newDevice = async () =>
      (await events(app, account.userId)).filter((e) =>
        e.event === "security.new_device"
      ).length;
    strictEqual(await newDevice(), 0, "not for the password alone");
    const before = waiting.sessionId;
    const done = await waiting.post("/api/auth/two-factor", {
      json: { code: await account.code() },
    });
    strictEqual(done.status, 200, done.text);
    strictEqual(await newDevice(), 1, "after the code");
    // The JSON answer: the user, how, and the codes left; a new session.
    strictEqual(done.json.success, true);
    strictEqual(done.json.user.email, account.email);
    strictEqual(done.json.user.twoFactorEnabled, true);
    strictEqual(done.json.method, "totp");
    strictEqual(done.json.recoveryCodesLeft, 10);
    strictEqual(flashSet(done), null);
    notStrictEqual(waiting.sessionId, before);
    strictEqual(await waiting.meStatus(), 200);
  },
);

appTest(
  "two codes racing on one pending sign-in: one signs in, the other is refused, one session results",
  async (app) => {
    const account = await twoFactorAccount(app);
    const c = await pendingClient(app, account);
    const [a, b] = await Promise.all([
      c.post("/api/auth/two-factor", {
        json: { code: await account.code() },
        cookie: c.cookie,
      }),
      c.post("/api/auth/two-factor", {
        json: { recoveryCode: account.recoveryCodes[0] },
        cookie: c.cookie,
      }),
    ]);
    deepStrictEqual([a.status, b.status].sort(), [200, 401]);
    const loser = a.status === 401 ? a : b;
    match(loser.json.error, /timed out/);
    strictEqual(await sessionCount(app, account.userId), 1);
    const winner = a.status === 200 ? a : b;
    c.cookie = winner.setCookie;
    strictEqual(await c.meStatus(), 200);
    strictEqual(new Client(app).cookie, null);
  },
);
