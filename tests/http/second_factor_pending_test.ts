/**
 * A sign-in that owes its second factor, over HTTP on both engines: the
 * password step's answers (JSON and page), the pending session (10
 * minutes, no account data), and that it is signed out to every page and
 * API but the code page and sign-out. The code itself is
 * second_factor_sign_in_test.ts's.
 */
import {
  deepStrictEqual,
  match,
  notStrictEqual,
  ok,
  strictEqual,
} from "node:assert/strict";
import { readAppMap } from "../security/fuzz.ts";
import {
  appTest,
  assertJsonError,
  Client,
  uniqueEmail,
} from "../helpers/auth.ts";
import { flashSet, getPage, HTML } from "../helpers/pages.ts";
import {
  pendingClient,
  sessionRow,
  twoFactorAccount,
} from "../helpers/two_factor.ts";

const TEN_MINUTES = 10 * 60_000;

/** The attributes of a Set-Cookie line, lower-cased names. */
function attributes(raw: string): Map<string, string> {
  return new Map(
    raw.split(";").slice(1).map((part) => {
      const [k, ...v] = part.trim().split("=");
      return [k.toLowerCase(), v.join("=")];
    }),
  );
}

appTest(
  "sign-in with two-factor on: the password starts a 10-minute pending session, the answers say a code is owed and hold no account data",
  async (app) => {
    const account = await twoFactorAccount(app);
    const c = new Client(app);
    const a = await c.post("/api/auth/login", {
      json: { email: account.email, password: account.password },
    });
    strictEqual(a.status, 200, a.text);
    deepStrictEqual(a.json, {
      success: true,
      secondFactor: true,
      next: "/login/two-factor",
      endpoint: "/api/auth/two-factor",
    });
    ok(!a.text.includes(account.email), "no account data before the code");
    ok(c.cookie, "the pending session's cookie");
    // The cookie outlives the 10 minutes, so the code page can say the
    // sign-in timed out; the session itself does not.
    // A day, counted down from when the deadline was set: a millisecond
    // later the cookie says 86399.
    const maxAge = Number(attributes(a.rawSetCookie!).get("max-age"));
    ok(maxAge === 86_400 || maxAge === 86_399, `max-age ${maxAge}`);
    const row = await sessionRow(app, c.sessionId!);
    strictEqual(row?.secondFactorPending, true);
    strictEqual(row?.twoFactorVerified, false);
    strictEqual(row!.expiresAt - row!.createdAt, TEN_MINUTES);
    assertJsonError(await c.get("/api/auth/me"), 401);

    // Recorded as a password accepted with a code owed, not a sign-in.
    const db = await app.openDb();
    try {
      const last = await db.get<{ event: string; details: string }>(
        "SELECT event, details FROM audit_log WHERE user_id = ? ORDER BY id DESC LIMIT 1",
        [account.userId],
      );
      strictEqual(last?.event, "auth.sign_in");
      deepStrictEqual(JSON.parse(last!.details), { secondFactor: "pending" });
    } finally {
      await db.close();
    }

    // The page's form: on to the code page, carrying where to go after.
    const form = new Client(app);
    const p = await form.post(
      `/login?next=${encodeURIComponent("/settings/sessions?x=1")}`,
      {
        form: { email: account.email, password: account.password },
        headers: HTML,
      },
    );
    strictEqual(p.status, 303);
    strictEqual(
      p.headers.get("location"),
      "/login/two-factor?next=%2Fsettings%2Fsessions%3Fx%3D1",
    );
    ok(form.cookie);
    strictEqual(
      (await sessionRow(app, form.sessionId!))?.secondFactorPending,
      true,
    );
    // An unsafe next is replaced before it is carried on.
    const evil = await new Client(app).post("/login?next=//evil.example", {
      form: { email: account.email, password: account.password },
      headers: HTML,
    });
    strictEqual(
      evil.headers.get("location"),
      "/login/two-factor?next=%2Fdashboard",
    );

    // An account without two-factor is signed in at once, as before.
    const plain = new Client(app);
    const email = uniqueEmail("plain");
    await plain.signUp(email);
    const signedIn = await plain.login(email);
    strictEqual(signedIn.json.secondFactor, false);
    strictEqual(signedIn.json.user.email, email);
    strictEqual(
      (await sessionRow(app, plain.sessionId!))?.secondFactorPending,
      false,
    );
  },
);

/** A URL path for a route pattern: every `:param` filled in. */
function concrete(route: string): string {
  return route.replace(/:[^/]+/g, "x");
}

appTest(
  "a pending session is signed out to every page and API route but the code page and sign-out",
  async (app) => {
    const account = await twoFactorAccount(app);
    const pending = await pendingClient(app, account);
    const anonymous = new Client(app);
    const routes = readAppMap(app.files!).routes;
    ok(routes.includes("/login/two-factor"), "the code page is a route");
    ok(routes.length >= 40, `routes: ${routes}`);
    const appPages = [];
    for (const route of routes) {
      const path = concrete(route);
      const api = path.startsWith("/api/");
      const headers = api ? {} : HTML;
      const asPending = await pending.get(path, { headers });
      const asNobody = await anonymous.get(path, { headers });
      if (path === "/login/two-factor") {
        strictEqual(asPending.status, 200, "the code page takes it");
        strictEqual(asNobody.status, 303);
        continue;
      }
      // The same answer as for nobody at all.
      strictEqual(asPending.status, asNobody.status, `GET ${path}`);
      strictEqual(
        asPending.headers.get("location"),
        asNobody.headers.get("location"),
        `GET ${path}`,
      );
      ok(!asPending.text.includes(account.email), `${path} shows no account`);
      strictEqual(
        asPending.text.includes("Sign out"),
        asNobody.text.includes("Sign out"),
        `${path}: the header of a visitor`,
      );
      if (asPending.status === 401) assertJsonError(asPending, 401);
      const location = asPending.headers.get("location") ?? "";
      if (location.startsWith("/login?next=")) {
        appPages.push(path);
        // Not "you were signed out": the pending sign-in is alive.
        strictEqual(flashSet(asPending), null, `${path}: no flash`);
      }
    }
    for (
      const page of ["/dashboard", "/settings", "/settings/sessions"]
    ) ok(appPages.includes(page), `${page} sends to sign-in: ${appPages}`);
    for (
      const path of [
        "/api/auth/me",
        "/api/auth/sessions",
        "/api/account/export",
        "/api/account/activity",
      ]
    ) assertJsonError(await pending.get(path), 401);

    // Representative changes: all refused, nothing changed.
    const writes: [string, string, unknown][] = [
      ["POST", "/api/account/preferences", { theme: "dark" }],
      ["DELETE", "/api/auth/sessions", undefined],
      ["DELETE", `/api/auth/sessions/${pending.sessionId}`, undefined],
      ["POST", "/api/auth/password/change", {
        currentPassword: account.password,
        newPassword: "Another orbit 7391 quartz!",
      }],
      ["POST", "/api/auth/email/change", {
        email: uniqueEmail("moved"),
        password: account.password,
      }],
      ["DELETE", "/api/account", { password: account.password }],
      ["POST", "/api/auth/verify-email/resend", {}],
    ];
    for (const [method, path, json] of writes) {
      assertJsonError(await pending.request(method, path, { json }), 401);
    }
    const form = await pending.post("/settings/sessions", {
      form: { action: "end-others" },
      headers: HTML,
    });
    strictEqual(form.status, 303);
    match(form.headers.get("location")!, /^\/login\?next=/);
    // Still the same pending sign-in, waiting for its code.
    strictEqual(
      (await sessionRow(app, pending.sessionId!))?.secondFactorPending,
      true,
    );
    strictEqual(
      (await pending.get("/login/two-factor", { headers: HTML })).status,
      200,
    );
  },
);

appTest(
  "sign-out ends a pending sign-in (JSON and the page's form); signing in again replaces it; /login offers the code page",
  async (app) => {
    const account = await twoFactorAccount(app);

    const viaJson = await pendingClient(app, account);
    const id = viaJson.sessionId!;
    const out = await viaJson.post("/api/auth/logout");
    strictEqual(out.status, 200, out.text);
    strictEqual(out.setCookie, "", "cookie cleared");
    strictEqual(await sessionRow(app, id), null, "ended server-side");

    const viaForm = await pendingClient(app, account);
    const formId = viaForm.sessionId!;
    const page = await viaForm.post("/api/auth/logout", {
      headers: HTML,
      body: "",
    });
    strictEqual(page.status, 303);
    strictEqual(page.headers.get("location"), "/login");
    strictEqual(flashSet(page)?.value, "signed_out");
    strictEqual(await sessionRow(app, formId), null);

    // /login shows the form, and the way back to the code.
    const again = await pendingClient(app, account);
    const first = again.sessionId!;
    const login = await getPage(again, "/login?next=%2Fsettings");
    strictEqual(login.status, 200);
    match(
      login.text,
      /Your sign-in is waiting for a code\.\s*<a [^>]*href="\/login\/two-factor\?next=%2Fsettings"[^>]*>Enter the code<\/a>/,
    );
    match(login.text, /name="password"/);
    strictEqual(
      (await getPage(again, "/signup")).status,
      200,
      "not redirected",
    );
    // Signing in again starts a new pending sign-in and ends the first.
    await again.post("/api/auth/login", {
      json: { email: account.email, password: account.password },
    });
    notStrictEqual(again.sessionId, first);
    strictEqual(await sessionRow(app, first), null);
    strictEqual(
      (await sessionRow(app, again.sessionId!))?.secondFactorPending,
      true,
    );
  },
);

appTest(
  "the code page: only a pending sign-in gets the form; signed out goes to sign in, told when it timed out; signed in goes on",
  async (app) => {
    const account = await twoFactorAccount(app);
    const c = await pendingClient(app, account);
    const form = await getPage(c, "/login/two-factor?next=%2Fsettings");
    strictEqual(form.status, 200);
    strictEqual(form.headers.get("cache-control"), "no-store");
    match(
      form.text,
      /<form method="post" action="\/login\/two-factor\?next=%2Fsettings"/,
    );
    const input = form.text.match(/<input[^>]*name="code"[^>]*>/)?.[0] ?? "";
    match(input, /inputmode="numeric"/);
    match(input, /autocomplete="one-time-code"/);
    match(input, /pattern="\[0-9\]\{3\} \?\[0-9\]\{3\}"/);
    match(input, /id="code"/);
    ok(!/autofocus/i.test(form.text), "no autofocus");
    match(form.text, /<label for="code"[^>]*>6-digit code<\/label>/);
    // A plain form: the page's only islands are the header's.
    ok(!form.text.includes("LoginForm"), "no sign-in island");
    match(
      form.text,
      /href="\/login\/two-factor\?next=%2Fsettings&amp;method=recovery"[^>]*>Use a recovery code instead/,
    );
    match(form.text, /<form method="post" action="\/api\/auth\/logout"/);

    const recovery = await getPage(
      c,
      "/login/two-factor?next=%2Fsettings&method=recovery",
    );
    strictEqual(recovery.status, 200);
    const field = recovery.text.match(/<input[^>]*name="recoveryCode"[^>]*>/)
      ?.[0] ?? "";
    match(field, /id="recovery-code"/);
    match(
      recovery.text,
      /<label for="recovery-code"[^>]*>Recovery code<\/label>/,
    );
    match(recovery.text, /Use your authenticator app instead/);

    // Nobody: to sign in, carrying next, with nothing to say.
    const nobody = await getPage(
      new Client(app),
      "/login/two-factor?next=%2Fsettings",
    );
    strictEqual(nobody.status, 303);
    strictEqual(nobody.headers.get("location"), "/login?next=%2Fsettings");
    strictEqual(flashSet(nobody), null);

    // A pending sign-in past its 10 minutes: gone, and the page says so.
    const late = await pendingClient(app, account);
    const db = await app.openDb();
    try {
      await db.run("UPDATE sessions SET expires_at = ? WHERE id = ?", [
        Date.now() - 1,
        late.sessionId,
      ]);
    } finally {
      await db.close();
    }
    const timedOut = await getPage(late, "/login/two-factor?next=%2Fsettings");
    strictEqual(timedOut.status, 303);
    strictEqual(timedOut.headers.get("location"), "/login?next=%2Fsettings");
    strictEqual(flashSet(timedOut)?.value, "sign_in_timed_out");
    strictEqual(timedOut.setCookie, "", "the dead cookie is cleared");
    strictEqual(await sessionRow(app, late.sessionId!), null);
    const told = await getPage(
      late,
      "/login?next=%2Fsettings",
      "sign_in_timed_out",
    );
    match(
      told.text,
      /Your sign-in timed out: the code must be entered within 10 minutes of the password\. Sign in again\./,
    );
    // Its code is refused too, whatever it is.
    const posted = await late.post("/api/auth/two-factor", {
      json: { code: "123456" },
    });
    assertJsonError(posted, 401);
    match(posted.json.error, /timed out/);

    // Fully signed in: on to next.
    const plain = new Client(app);
    const email = uniqueEmail("plain");
    await plain.register(email);
    const on = await getPage(plain, "/login/two-factor?next=%2Fsettings");
    strictEqual(on.status, 303);
    strictEqual(on.headers.get("location"), "/settings");
    assertJsonError(
      await plain.post("/api/auth/two-factor", { json: { code: "123456" } }),
      409,
    );
    assertJsonError(
      await new Client(app).post("/api/auth/two-factor", {
        json: { code: "123456" },
      }),
      401,
    );
  },
);

appTest(
  "the session list marks two-factor verified sessions and lists sign-ins waiting for a code apart; the dashboard does not count them",
  async (app) => {
    const account = await twoFactorAccount(app);
    const me = await account.signedIn();
    const waiting = await pendingClient(app, account, {
      userAgent:
        "Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0",
    });

    const list = await me.get("/api/auth/sessions");
    strictEqual(list.status, 200);
    const byId = new Map(
      list.json.sessions.map((s: { id: string }) => [s.id, s]),
    );
    // deno-lint-ignore no-explicit-any
    const mine = byId.get(me.sessionId) as any;
    // deno-lint-ignore no-explicit-any
    const theirs = byId.get(waiting.sessionId) as any;
    strictEqual(mine.twoFactorVerified, true);
    strictEqual(mine.waitingForCode, false);
    strictEqual(theirs.twoFactorVerified, false);
    strictEqual(theirs.waitingForCode, true);

    const page = await getPage(me, "/settings/sessions");
    strictEqual(page.status, 200);
    const current = page.text.match(
      new RegExp(`<li[^>]*data-session-id="${me.sessionId}"[\\s\\S]*?</li>`),
    )?.[0] ?? "";
    match(current, /This device/);
    match(current, /Two-factor verified/);
    const section = page.text.slice(page.text.indexOf("Waiting for a code"));
    ok(page.text.includes("Waiting for a code"), "a section of its own");
    const other = section.match(
      new RegExp(
        `<li[^>]*data-session-id="${waiting.sessionId}"[^>]*data-waiting="true"[\\s\\S]*?</li>`,
      ),
    )?.[0] ?? "";
    match(other, /Firefox on Linux/);
    match(other, /Password entered/);
    ok(!other.includes("Two-factor verified"));
    match(other, /End session/);
    match(page.text, /Sign out all other sessions \(1\)/);

    const dashboard = await getPage(me, "/dashboard");
    match(dashboard.text, /1 device is\s+signed in/);

    // Ending it from the list ends the waiting sign-in.
    const ended = await me.post("/settings/sessions", {
      form: { action: "end", id: waiting.sessionId! },
      headers: HTML,
    });
    strictEqual(ended.status, 303);
    strictEqual(await sessionRow(app, waiting.sessionId!), null);
  },
);
