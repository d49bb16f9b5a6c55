/**
 * Password reset, change password and change email over HTTP, on both
 * engines: the JSON endpoints and the pages, with the mail read from a
 * real SMTP server the app delivers to.
 */
import assert from "node:assert/strict";
import { ENGINES } from "../../lib/db/testing.ts";
import {
  type AuthApp,
  Client,
  PASSWORD,
  uniqueEmail,
  withApp,
} from "../helpers/auth.ts";
import { startSmtp, type TestSmtp } from "../helpers/smtp.ts";

const NEW_PASSWORD = "Harbour lantern 2210 fig";

const SUBJECTS: Record<string, RegExp> = {
  password_reset: /^Reset your Islet password$/,
  password_changed: /password was changed/,
  email_change_confirm: /^Confirm your new Islet email address$/,
  email_changed: /^The email address of your Islet account was changed$/,
  email_change_undone: /email address is back/,
};

let smtp: TestSmtp;

/** The token in the mail of `kind` to `to`, as the SMTP server got it. */
async function mailedToken(_app: AuthApp, kind: string, to: string) {
  const mail = await smtp.waitFor((m) =>
    m.to === to && SUBJECTS[kind].test(m.subject)
  );
  const link = mail.links.find((l) => l.includes("token="));
  return link === undefined ? "" : new URL(link).searchParams.get("token")!;
}

/** One test per engine, each with its own SMTP server and app. */
function appTest(name: string, fn: (app: AuthApp) => Promise<void>) {
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

appTest(
  "reset over JSON: same 202 for known and unknown, the link sets the password and ends every session",
  async (app) => {
    const email = uniqueEmail("reset");
    const ada = new Client(app);
    await ada.register(email);
    const other = new Client(app);
    await other.login(email);
    const stranger = new Client(app);
    const known = await stranger.post("/api/auth/password/forgot", {
      json: { email },
    });
    const unknown = await stranger.post("/api/auth/password/forgot", {
      json: { email: uniqueEmail("nobody") },
    });
    assert.equal(known.status, 202);
    assert.equal(unknown.status, 202);
    assert.deepEqual(Object.keys(known.json), Object.keys(unknown.json));
    const token = await mailedToken(app, "password_reset", email);

    const bad = await stranger.post("/api/auth/password/reset", {
      json: { token: token.slice(1) + "A", password: NEW_PASSWORD },
    });
    assert.equal(bad.status, 400);
    const weak = await stranger.post("/api/auth/password/reset", {
      json: { token, password: "short" },
    });
    assert.equal(weak.status, 400);
    assert.ok(weak.json.details.password);
    const done = await stranger.post("/api/auth/password/reset", {
      json: { token, password: NEW_PASSWORD },
    });
    assert.equal(done.status, 200, done.text);
    assert.equal(done.json.sessionsEnded, 2);
    assert.equal(await ada.meStatus(), 401);
    assert.equal(await other.meStatus(), 401);
    const reused = await stranger.post("/api/auth/password/reset", {
      json: { token, password: NEW_PASSWORD },
    });
    assert.equal(reused.status, 400);
    await new Client(app).login(email, NEW_PASSWORD);
  },
);

appTest(
  "reset pages: no-referrer, the token in a hidden field, a dead link says so",
  async (app) => {
    const email = uniqueEmail("resetpage");
    await new Client(app).register(email);
    const c = new Client(app);
    const asked = await c.post("/forgot-password", {
      form: { email },
      headers: { accept: "text/html" },
    });
    assert.equal(asked.status, 200);
    assert.match(asked.text, /If an account uses/);
    const token = await mailedToken(app, "password_reset", email);
    const form = await c.get(`/reset-password?token=${token}`, {
      headers: { accept: "text/html" },
    });
    assert.equal(form.status, 200);
    assert.equal(form.headers.get("referrer-policy"), "no-referrer");
    assert.match(
      form.text,
      new RegExp(`type="hidden" name="token" value="${token}"`),
    );
    assert.match(form.text, /action="\/reset-password"/);
    const dead = await c.get(`/reset-password?token=${"A".repeat(43)}`, {
      headers: { accept: "text/html" },
    });
    assert.equal(dead.status, 400);
    assert.match(dead.text, /expired or was already used/);
    const set = await c.post("/reset-password", {
      form: { token, password: NEW_PASSWORD },
      headers: { accept: "text/html" },
    });
    assert.equal(set.status, 303);
    assert.equal(set.headers.get("location"), "/login");
    assert.ok(!app.logs().includes(token), "the token is not logged");
  },
);

appTest(
  "change password over JSON keeps this session and ends the others",
  async (app) => {
    const email = uniqueEmail("change");
    const me = new Client(app);
    await me.register(email);
    const other = new Client(app);
    await other.login(email);
    const wrong = await me.post("/api/auth/password/change", {
      json: { currentPassword: "nope nope nope 1", newPassword: NEW_PASSWORD },
    });
    assert.equal(wrong.status, 400);
    const ok = await me.post("/api/auth/password/change", {
      json: { currentPassword: PASSWORD, newPassword: NEW_PASSWORD },
    });
    assert.equal(ok.status, 200, ok.text);
    assert.equal(ok.json.sessionsEnded, 1);
    assert.equal(await me.meStatus(), 200);
    assert.equal(await other.meStatus(), 401);
    await mailedToken(app, "password_changed", email);
    const signedOut = new Client(app);
    const anon = await signedOut.post("/api/auth/password/change", {
      json: { currentPassword: PASSWORD, newPassword: NEW_PASSWORD },
    });
    assert.equal(anon.status, 401);
  },
);

appTest(
  "change email over JSON: free and taken answer alike; confirm then undo",
  async (app) => {
    const email = uniqueEmail("mover");
    const taken = uniqueEmail("taken");
    const me = new Client(app);
    await me.register(email);
    await new Client(app).register(taken);
    const fresh = uniqueEmail("fresh");
    // A fresh sign-in is the recent proof these need.
    const a = await me.post("/api/auth/email/change", {
      json: { email: fresh },
    });
    const b = await me.post("/api/auth/email/change", {
      json: { email: taken },
    });
    assert.equal(a.status, 202);
    assert.equal(b.status, 202);
    assert.deepEqual(Object.keys(a.json), Object.keys(b.json));
    const confirm = await mailedToken(app, "email_change_confirm", fresh);
    const page = await me.get(`/confirm-email-change?token=${confirm}`, {
      headers: { accept: "text/html" },
    });
    assert.equal(page.headers.get("referrer-policy"), "no-referrer");
    assert.equal(
      (await me.get("/api/auth/me")).json.user.email,
      email,
      "a GET changes nothing",
    );
    const done = await me.post("/api/auth/email/confirm", {
      json: { token: confirm },
    });
    assert.equal(done.status, 200, done.text);
    assert.equal(done.json.email, fresh);
    assert.equal(await me.meStatus(), 200);
    const undo = await mailedToken(app, "email_changed", email);
    const undone = await new Client(app).post("/api/auth/email/undo", {
      json: { token: undo },
    });
    assert.equal(undone.status, 200, undone.text);
    assert.equal(undone.json.email, email);
    assert.equal(await me.meStatus(), 401, "every session ends");
    await mailedToken(app, "email_change_undone", email);
  },
);
