/**
 * Recent authentication over HTTP, on both engines: a session whose last
 * sign-in proof is older than 10 minutes is sent to the confirm-access
 * page by the sensitive pages (change email, change password, delete the
 * account) and refused with a 403 naming the confirm endpoint by their
 * JSON routes; the password there brings it back to the action, which
 * then works. Wrong passwords are 400, the 6th try in 15 minutes 429.
 */
import { deepStrictEqual, match, ok, strictEqual } from "node:assert/strict";
import {
  ageSession,
  appTest,
  assertJsonError,
  Client,
  PASSWORD,
  uniqueEmail,
} from "../helpers/auth.ts";
import { flashSet, getPage, HTML } from "../helpers/pages.ts";
import type { AuthApp } from "../helpers/auth.ts";

const NEW_PASSWORD = "Harbour lantern 2210 fig";

/** A signed-in client whose proof is 11 minutes old. */
async function oldSession(app: AuthApp, prefix: string) {
  const email = uniqueEmail(prefix);
  const me = new Client(app);
  await me.register(email);
  await ageSession(app, me);
  return { me, email };
}

async function count(app: AuthApp, sql: string, args: string[]) {
  const db = await app.openDb();
  try {
    return Number((await db.get(sql, args))?.n);
  } finally {
    await db.close();
  }
}

appTest(
  "pages: an old session is asked to confirm, comes back to the form, and the change works",
  async (app) => {
    const { me, email } = await oldSession(app, "recent-page");
    for (
      const path of [
        "/settings/email",
        "/settings/password",
        "/settings/delete",
      ]
    ) {
      const asked = await getPage(me, path);
      strictEqual(asked.status, 303, path);
      strictEqual(
        asked.headers.get("location"),
        `/confirm-access?next=${encodeURIComponent(path)}`,
      );
      strictEqual(asked.headers.get("cache-control"), "no-store");
      // A POST from a form left open too long is not acted on.
      const posted = await me.post(path, {
        form: {
          email: uniqueEmail("x"),
          currentPassword: PASSWORD,
          newPassword: NEW_PASSWORD,
        },
        headers: HTML,
      });
      strictEqual(posted.status, 303, path);
      match(posted.headers.get("location")!, /^\/confirm-access\?next=/);
    }
    strictEqual(await me.meStatus(), 200, "nothing was deleted");
    strictEqual(
      await count(app, "SELECT count(*) AS n FROM email_change_tokens", []),
      0,
      "no email change was asked for",
    );

    const form = await getPage(me, "/confirm-access?next=%2Fsettings%2Femail");
    strictEqual(form.status, 200);
    match(form.text, /Confirm it is you/);
    match(form.text, /autocomplete="current-password"/);
    strictEqual(form.text.includes('name="code"'), false, "no two-factor");

    const wrong = await me.post("/confirm-access?next=%2Fsettings%2Femail", {
      form: { password: "not my password 123" },
      headers: HTML,
    });
    strictEqual(wrong.status, 400);
    match(wrong.text, /That is not your current password/);
    match(wrong.text, /aria-invalid="true"/);

    const confirmed = await me.post(
      "/confirm-access?next=%2Fsettings%2Femail",
      {
        form: { password: PASSWORD },
        headers: HTML,
      },
    );
    strictEqual(confirmed.status, 303, confirmed.text);
    strictEqual(confirmed.headers.get("location"), "/settings/email");

    const back = await getPage(me, "/settings/email");
    strictEqual(back.status, 200);
    strictEqual(
      back.text.includes('type="password"'),
      false,
      "one prompt, not two",
    );
    const fresh = uniqueEmail("recent-new");
    const changed = await me.post("/settings/email", {
      form: { email: fresh },
      headers: HTML,
    });
    strictEqual(changed.status, 303, changed.text);
    strictEqual(changed.headers.get("location"), "/settings");
    strictEqual(flashSet(changed)?.value, "email_change_sent");
    const userId = (await me.get("/api/auth/me")).json.user.id;
    strictEqual(
      await count(
        app,
        "SELECT count(*) AS n FROM email_change_tokens WHERE user_id = ?",
        [userId],
      ),
      1,
    );
    // Change password still asks for the current password itself.
    const pw = await getPage(me, "/settings/password");
    strictEqual(pw.status, 200);
    match(pw.text, /name="currentPassword"/);
    const activity = await me.get("/api/account/activity");
    const events = activity.json.events.map((e: { event: string }) => e.event);
    ok(events.includes("auth.access_confirmed"), JSON.stringify(events));
    const failed = activity.json.events.find((e: { event: string }) =>
      e.event === "auth.sign_in_failed"
    );
    strictEqual(failed.warning, true);
    match(failed.description, /asked to confirm it was you/);
    strictEqual((await me.get("/api/auth/me")).json.user.email, email);
  },
);

appTest(
  "JSON: an old session gets 403 details.reauthenticate; the confirm endpoint takes the password (wrong: 400, the 6th try: 429)",
  async (app) => {
    const { me } = await oldSession(app, "recent-api");
    const refusals = [
      await me.post("/api/auth/email/change", {
        json: { email: uniqueEmail("y") },
      }),
      await me.post("/api/auth/password/change", {
        json: { currentPassword: PASSWORD, newPassword: NEW_PASSWORD },
      }),
      await me.delete("/api/account"),
    ];
    for (const r of refusals) {
      assertJsonError(r, 403);
      deepStrictEqual(r.json.details, {
        reauthenticate: "/api/auth/confirm-access",
      });
      match(r.json.error, /confirm it is you/);
    }
    strictEqual(await me.meStatus(), 200, "still there");

    // Signed out: 401, not a request to confirm.
    const stranger = new Client(app);
    assertJsonError(
      await stranger.post("/api/auth/email/change", {
        json: { email: "a@b.co" },
      }),
      401,
    );
    assertJsonError(await stranger.delete("/api/account"), 401);
    assertJsonError(
      await stranger.post("/api/auth/confirm-access", {
        json: { password: PASSWORD },
      }),
      401,
    );

    // Bad input is a clear 4xx.
    assertJsonError(
      await me.post("/api/auth/confirm-access", {
        body: "{",
        headers: { "content-type": "application/json" },
      }),
      400,
    );
    assertJsonError(
      await me.post("/api/auth/confirm-access", {
        body: "x",
        headers: { "content-type": "text/plain" },
      }),
      415,
    );
    const missing = await me.post("/api/auth/confirm-access", { json: {} });
    assertJsonError(missing, 400);
    ok(missing.json.details.password);

    for (let i = 1; i <= 5; i++) {
      const wrong = await me.post("/api/auth/confirm-access", {
        json: { password: `wrong password ${i}` },
      });
      assertJsonError(wrong, 400);
      strictEqual(
        wrong.json.details.password,
        "That is not your current password",
      );
    }
    const sixth = await me.post("/api/auth/confirm-access", {
      json: { password: PASSWORD },
    });
    assertJsonError(sixth, 429);
    ok(Number(sixth.headers.get("retry-after")) > 0);
    assertJsonError(
      await me.post("/api/auth/email/change", {
        json: { email: uniqueEmail("z") },
      }),
      403,
    );

    // Another account, another counter: the proof, then the actions.
    const { me: other } = await oldSession(app, "recent-api-ok");
    const ok1 = await other.post("/api/auth/confirm-access", {
      json: { password: PASSWORD },
    });
    strictEqual(ok1.status, 200, ok1.text);
    strictEqual(ok1.json.success, true);
    const until = ok1.json.confirmedUntil;
    ok(until > Date.now() + 9 * 60_000 && until <= Date.now() + 10 * 60_000);
    strictEqual(
      (await other.post("/api/auth/email/change", {
        json: { email: uniqueEmail("moved") },
      })).status,
      202,
    );
    const gone = await other.delete("/api/account");
    strictEqual(gone.status, 200, gone.text);
    strictEqual(gone.json.deleted, true);
    strictEqual(await other.meStatus(), 401);
  },
);

appTest(
  "confirm-access: signed-out visitors sign in first; next= stays on the site; an account without a password is told what to do",
  async (app) => {
    const anon = await new Client(app).get(
      "/confirm-access?next=%2Fsettings%2Fdelete",
      { headers: HTML },
    );
    strictEqual(anon.status, 303);
    strictEqual(
      anon.headers.get("location"),
      `/login?next=${
        encodeURIComponent("/confirm-access?next=%2Fsettings%2Fdelete")
      }`,
    );

    const { me } = await oldSession(app, "recent-next");
    const away = await me.post("/confirm-access?next=%2F%2Fevil.example", {
      form: { password: PASSWORD },
      headers: HTML,
    });
    strictEqual(away.status, 303);
    strictEqual(away.headers.get("location"), "/settings");

    const { me: keyless } = await oldSession(app, "recent-keyless");
    const db = await app.openDb();
    try {
      await db.run(
        "UPDATE users SET password_hash = NULL WHERE id = (SELECT user_id FROM sessions WHERE id = ?)",
        [keyless.sessionId],
      );
    } finally {
      await db.close();
    }
    const page = await getPage(
      keyless,
      "/confirm-access?next=%2Fsettings%2Fdelete",
    );
    strictEqual(page.status, 200);
    match(page.text, /This account has no password to confirm it with/);
    strictEqual(page.text.includes('type="password"'), false);
    match(page.text, /action="\/api\/auth\/logout"/);
    const refused = await keyless.post("/api/auth/confirm-access", {
      json: { password: PASSWORD },
    });
    assertJsonError(refused, 400);
    match(refused.json.error, /Sign out and sign in again/);
  },
);
