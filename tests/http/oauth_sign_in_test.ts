/**
 * Sign-in and sign-up through a provider, over HTTP against the app built
 * in process, on SQLite and PostgreSQL, with the real providers of the
 * tests: a real oidc-provider (Google) and the GitHub stand-in, their
 * pages answered by the stand-ins' drivers. A new identity makes an
 * account and signs in; the same identity again signs in to it; a
 * verified address links to the account that has it (and its owner is
 * mailed) while an unverified local account is left alone (the
 * pre-hijack defence); `next` is honoured and an off-site one refused;
 * two-factor is asked after the provider exactly as after a password.
 */
import {
  deepStrictEqual,
  match,
  notStrictEqual,
  ok,
  strictEqual,
} from "node:assert/strict";
import { ageSession, Client, uniqueEmail } from "../helpers/auth.ts";
import { twoFactorAccount } from "../helpers/two_factor.ts";
import {
  assertUnchanged,
  FlowClient,
  mailTo,
  rows,
  snapshotTables,
} from "./oauth_sign_in_kit.ts";
import { oauthTest } from "./oauth_sign_in_setup.ts";

oauthTest(
  "a new GitHub identity makes an account (verified address, username from the login) and signs in to next; the same identity again signs in to it",
  async ({ app, github, drive }) => {
    github.setUser({
      id: 4101,
      login: "Octo-Cat",
      name: "Octo Cat",
      emails: [
        { email: "octo@example.com", primary: true, verified: true },
        { email: "other@example.com", primary: false, verified: true },
      ],
    });
    const c = new FlowClient(app);
    const done = await c.flowThrough(
      "/oauth/github?next=%2Fsettings%2Fsessions",
      drive.github,
      "Octo-Cat",
    );
    strictEqual(done.status, 303, done.text);
    strictEqual(done.headers.get("location"), "/settings/sessions");
    ok(c.cookie, "signed in");
    strictEqual(c.flow, null, "the flow cookie is cleared");
    const me = await c.get("/api/auth/me");
    strictEqual(me.status, 200, me.text);
    strictEqual(me.json.user.email, "octo@example.com");
    ok(me.json.user.emailVerified, "GitHub vouched for the address");
    match(me.json.user.username, /^octo/i);

    const [user] = await rows(
      app,
      "SELECT id, password_hash FROM users WHERE email = ?",
      ["octo@example.com"],
    );
    strictEqual(user.password_hash, null, "no password");
    const links = await rows(
      app,
      "SELECT provider, provider_user_id FROM oauth_accounts WHERE user_id = ?",
      [user.id],
    );
    deepStrictEqual(links.map((l) => ({ ...l })), [{
      provider: "github",
      provider_user_id: `${new URL(github.webUrl).origin} 4101`,
    }]);
    const audit = await rows(
      app,
      "SELECT event, details FROM audit_log WHERE user_id = ? ORDER BY id",
      [user.id],
    );
    const signIns = audit.filter((r) => r.event === "auth.sign_in");
    deepStrictEqual(signIns.map((r) => JSON.parse(String(r.details))), [{
      provider: "GitHub",
    }]);

    // Again, from another browser: the same account, no second one.
    const again = new FlowClient(app);
    const second = await again.flowThrough(
      "/oauth/github",
      drive.github,
      "Octo-Cat",
    );
    strictEqual(second.status, 303, second.text);
    strictEqual(second.headers.get("location"), "/dashboard");
    const me2 = await again.get("/api/auth/me");
    strictEqual(me2.json.user.id, user.id);
    const [{ n }] = await rows(app, "SELECT count(*) AS n FROM users");
    strictEqual(Number(n), 1);
  },
);

oauthTest(
  "OpenID Connect (Google): a new identity makes an account from the ID token's claims and signs in; an unverified address makes an unverified account that is signed in, shown the banner and sent the confirmation",
  async ({ app, google, drive }) => {
    google.setUser("ada", {
      email: "ada@example.com",
      email_verified: true,
      name: "Ada Lovelace",
    });
    const c = new FlowClient(app);
    const done = await c.flowThrough("/oauth/google", drive.google, "ada");
    strictEqual(done.status, 303, done.text);
    strictEqual(done.headers.get("location"), "/dashboard");
    const me = await c.get("/api/auth/me");
    strictEqual(me.json.user.email, "ada@example.com");
    ok(me.json.user.emailVerified);

    google.setUser("bob", { email: "bob@example.com", email_verified: false });
    const b = new FlowClient(app);
    const bob = await b.flowThrough("/oauth/google", drive.google, "bob");
    strictEqual(bob.status, 303, bob.text);
    const bobMe = await b.get("/api/auth/me");
    strictEqual(bobMe.status, 200, "signed in");
    strictEqual(bobMe.json.user.emailVerified, false);
    const page = await b.visit("/dashboard");
    strictEqual(page.status, 200);
    match(page.text, /data-testid="verify-banner"/);
    const mail = await mailTo(app, "bob@example.com", /^Confirm your email/);
    ok(mail.includes("Confirm your email address"), mail.join(", "));
  },
);

oauthTest(
  "a verified provider address links to the account whose verified address it is, whose owner is mailed; the sign-in is that account's",
  async ({ app, github, drive }) => {
    const email = uniqueEmail("linked");
    const owner = new Client(app);
    const signedUp = await owner.register(email);
    const userId = signedUp.json.user.id;
    await markVerified(app, userId);
    github.setUser({
      id: 4102,
      login: "lin",
      emails: [{ email, primary: true, verified: true }],
    });
    const c = new FlowClient(app);
    const done = await c.flowThrough("/oauth/github", drive.github, "lin");
    strictEqual(done.status, 303, done.text);
    strictEqual((await c.get("/api/auth/me")).json.user.id, userId);
    const links = await rows(
      app,
      "SELECT provider FROM oauth_accounts WHERE user_id = ?",
      [userId],
    );
    strictEqual(links.length, 1);
    const mail = await mailTo(app, email, /sign-in provider was connected/);
    ok(
      mail.some((s) => /sign-in provider was connected/.test(s)),
      mail.join(", "),
    );
  },
);

oauthTest(
  "pre-hijack: an unverified local account with the provider's (verified) address is not linked; the 409 page says to sign in with the password; no session, nothing written",
  async ({ app, github, drive }) => {
    const email = uniqueEmail("victim");
    await new Client(app).signUp(email);
    github.setUser({
      id: 4103,
      login: "attacker",
      emails: [{ email, primary: true, verified: true }],
    });
    const before = await snapshotTables(app);
    const c = new FlowClient(app);
    const done = await c.flowThrough("/oauth/github", drive.github, "attacker");
    strictEqual(done.status, 409, done.text);
    ok(
      done.text.includes(
        `An Islet account already uses ${email}. Sign in with your password, then connect GitHub in Settings → Connected accounts.`,
      ),
      done.text,
    );
    strictEqual(c.cookie, null, "no session cookie");
    strictEqual(c.flow, null, "the flow cookie is cleared");
    await assertUnchanged(app, before, "nothing written");
  },
);

oauthTest(
  "a provider without an address: the 400 page, nothing written",
  async ({ app, github, drive }) => {
    github.setUser({ id: 4104, login: "ghost", emails: [] });
    const before = await snapshotTables(app);
    const c = new FlowClient(app);
    const done = await c.flowThrough("/oauth/github", drive.github, "ghost");
    strictEqual(done.status, 400, done.text);
    match(done.text, /GitHub did not give an email address/);
    strictEqual(c.cookie, null);
    await assertUnchanged(app, before);
  },
);

oauthTest(
  "next is carried through the provider; an off-site next is refused for the dashboard",
  async ({ app, github, drive }) => {
    github.setUser({
      id: 4105,
      login: "nx",
      emails: [{ email: "nx@example.com", primary: true, verified: true }],
    });
    for (
      const [asked, landed] of [
        ["/settings/sessions?x=1", "/settings/sessions?x=1"],
        ["//evil.example/x", "/dashboard"],
        ["https://evil.example/", "/dashboard"],
        ["/\\evil.example", "/dashboard"],
      ]
    ) {
      const c = new FlowClient(app);
      const done = await c.flowThrough(
        `/oauth/github?next=${encodeURIComponent(asked)}`,
        drive.github,
        "nx",
      );
      strictEqual(done.status, 303, done.text);
      strictEqual(done.headers.get("location"), landed, asked);
    }
  },
);

oauthTest(
  "two-factor on: the provider gives a pending session and the code page (no new-device mail yet); the code then signs in",
  async ({ app, github, drive }) => {
    const account = await twoFactorAccount(app);
    await markVerified(app, account.userId);
    github.setUser({
      id: 4106,
      login: "tfa",
      emails: [{ email: account.email, primary: true, verified: true }],
    });
    const c = new FlowClient(app, { userAgent: "Firefox/140.0 (X11; Linux)" });
    const done = await c.flowThrough(
      "/oauth/github?next=%2Fsettings%2Fsessions",
      drive.github,
      "tfa",
    );
    strictEqual(done.status, 303, done.text);
    strictEqual(
      done.headers.get("location"),
      "/login/two-factor?next=%2Fsettings%2Fsessions",
    );
    ok(c.cookie);
    strictEqual(await c.meStatus(), 401, "not signed in before the code");
    const [signIn] = await rows(
      app,
      "SELECT details FROM audit_log WHERE user_id = ? AND event = 'auth.sign_in' ORDER BY id DESC",
      [account.userId],
    );
    deepStrictEqual(JSON.parse(String(signIn.details)), {
      provider: "GitHub",
      secondFactor: "pending",
    });
    const newDevice = async () =>
      (await rows(
        app,
        "SELECT event FROM audit_log WHERE user_id = ? AND event = 'security.new_device'",
        [account.userId],
      )).length;
    strictEqual(await newDevice(), 0, "no new-device notice before the code");
    const pendingId = c.sessionId;
    const code = await c.post("/api/auth/two-factor", {
      json: { code: await account.code() },
    });
    strictEqual(code.status, 200, code.text);
    notStrictEqual(c.sessionId, pendingId);
    strictEqual(await c.meStatus(), 200);
    // Another browser than the account's own (islet-test/1.0): told now.
    strictEqual(await newDevice(), 1, "the new-device notice after the code");
  },
);

async function markVerified(
  app: Parameters<typeof rows>[0],
  userId: string,
): Promise<void> {
  const db = await app.openDb();
  try {
    await db.run("UPDATE users SET email_verified_at = ? WHERE id = ?", [
      Date.now(),
      userId,
    ]);
  } finally {
    await db.close();
  }
}

oauthTest(
  "signing in again through the provider while signed in is a new sign-in proof: a new session replaces the old one, and the sensitive pages open",
  async ({ app, drive }) => {
    const c = new FlowClient(app);
    strictEqual(
      (await c.flowThrough("/oauth/acme", drive.acme, "alice")).status,
      303,
    );
    await ageSession(app, c);
    const old = c.sessionId!;
    const gated = await c.visit("/settings/connections");
    strictEqual(gated.status, 303);
    match(gated.headers.get("location")!, /^\/confirm-access\?/);
    const again = await c.flowThrough(
      "/oauth/acme?next=%2Fsettings%2Fconnections",
      drive.acme,
      "alice",
    );
    strictEqual(again.status, 303, again.text);
    strictEqual(again.headers.get("location"), "/settings/connections");
    notStrictEqual(c.sessionId, old, "a new session");
    const gone = await rows(app, "SELECT id FROM sessions WHERE id = ?", [old]);
    strictEqual(gone.length, 0, "the old session is ended");
    strictEqual((await c.visit("/settings/connections")).status, 200);
    const signIns = await rows(
      app,
      "SELECT details FROM audit_log WHERE event = 'auth.sign_in' ORDER BY id",
    );
    deepStrictEqual(
      signIns.map((r) => JSON.parse(String(r.details)).provider),
      ["Acme SSO", "Acme SSO"],
      "the provider's name on each sign-in",
    );
  },
);
