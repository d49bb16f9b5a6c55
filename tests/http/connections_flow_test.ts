/**
 * Connected accounts with the real provider flows, in process on both
 * engines (the GitHub stand-in and real oidc-providers, a real SMTP
 * server):
 *
 * - an account made through a provider has no password; it sets one
 *   through the reset email (forgot password → link → new password), and
 *   afterwards signs in with the password and still with the provider,
 *   and may then disconnect the provider (no longer its last way in);
 * - such an account, asked to confirm access, is offered its providers:
 *   signing in again through one starts a new session, signed in just
 *   now, and comes back to the page that asked, which then works;
 * - with two-factor on, the code is asked after the provider, as at any
 *   sign-in, before the page that asked opens;
 * - the connections page shows the notice of a connection made from it,
 *   and a refusal as a warning.
 */
import { match, notStrictEqual, ok, strictEqual } from "node:assert/strict";
import { ENGINES } from "../../lib/db/testing.ts";
import { ageSession, type AuthApp, Client, withApp } from "../helpers/auth.ts";
import { flashSet, getPage, HTML } from "../helpers/pages.ts";
import { startSmtp, type TestSmtp } from "../helpers/smtp.ts";
import { codeFor, storedSecret } from "../helpers/authenticator.ts";
import {
  driveGitHub,
  driveOidc,
  type OAuthStandins,
  startOAuthStandins,
} from "../helpers/oauth.ts";
import { FlowClient, rows } from "./oauth_sign_in_kit.ts";

const PATH = "/settings/connections";
const NEW_PASSWORD = "Harbour lantern 2210 fig";
/** The person the stand-ins know with a verified address. */
const ALICE = { login: "alice", email: "alice@example.com" };

interface Kit {
  app: AuthApp;
  standins: OAuthStandins;
  smtp: TestSmtp;
}

/** One test per engine: the providers, an SMTP server, the app. */
function flowTest(name: string, fn: (kit: Kit) => Promise<void>) {
  for (const engine of ENGINES) {
    Deno.test(`${name} [${engine}]`, async () => {
      const standins = await startOAuthStandins();
      const smtp = await startSmtp();
      try {
        await withApp((app) => fn({ app, standins, smtp }), {
          engine,
          env: standins.env({
            SMTP_URL: smtp.url,
            MAIL_FROM: "islet@example.com",
          }),
        });
      } finally {
        await smtp.stop();
        await standins.stop();
      }
    });
  }
}

/** Signs up through GitHub as alice: a new account without a password. */
async function gitHubAccount(app: AuthApp) {
  const c = new FlowClient(app);
  const done = await c.flowThrough("/oauth/github", driveGitHub, ALICE.login);
  strictEqual(done.status, 303, done.text);
  const me = (await c.get("/api/auth/me")).json.user;
  strictEqual(me.email, ALICE.email);
  const [user] = await rows(
    app,
    "SELECT password_hash FROM users WHERE id = ?",
    [me.id],
  );
  strictEqual(user.password_hash, null, "made through a provider: no password");
  return { c, userId: String(me.id) };
}

flowTest(
  "an account made through GitHub sets a password by the reset email, then signs in with either, and may disconnect GitHub",
  async ({ app, smtp }) => {
    const { c, userId } = await gitHubAccount(app);
    // Its one link is its only way in: refused, as the page said.
    const [link] = await rows(
      app,
      "SELECT id FROM oauth_accounts WHERE user_id = ?",
      [userId],
    );
    const refused = await c.delete(`/api/account/connections/${link.id}`);
    strictEqual(refused.status, 409, refused.text);
    // Security says how to get a password: the reset email.
    const security = await getPage(c, "/settings/security");
    match(
      security.text,
      /Not set\. You sign in through a connected account\.\s*<a[^>]*href="\/forgot-password"[^>]*>Set a password</,
    );

    const asked = await new Client(app).post("/forgot-password", {
      form: { email: ALICE.email },
      headers: HTML,
    });
    strictEqual(asked.status, 200, asked.text);
    const mail = await smtp.waitFor((m) =>
      m.to === ALICE.email && /^Reset your Islet password$/.test(m.subject)
    );
    const token = new URL(mail.links.find((l) => l.includes("token="))!)
      .searchParams.get("token")!;
    const set = await new Client(app).post("/reset-password", {
      form: { token, password: NEW_PASSWORD },
      headers: HTML,
    });
    strictEqual(set.status, 303, set.text);
    strictEqual(flashSet(set)?.value, "password_reset");
    // As any reset: every session ended, this one included.
    strictEqual(await c.meStatus(), 401);

    const withPassword = new Client(app);
    await withPassword.login(ALICE.email, NEW_PASSWORD);
    strictEqual(
      (await withPassword.get("/api/auth/me")).json.user.id,
      userId,
    );
    const again = new FlowClient(app);
    const back = await again.flowThrough(
      "/oauth/github",
      driveGitHub,
      ALICE.login,
    );
    strictEqual(back.status, 303, back.text);
    strictEqual((await again.get("/api/auth/me")).json.user.id, userId);

    // A password now: GitHub is no longer the last way in.
    const page = await getPage(again, PATH);
    strictEqual(page.status, 200, page.text);
    strictEqual(page.text.includes("Set a password first"), false);
    strictEqual(page.text.includes("Your account has no password"), false);
    const gone = await again.post(PATH, {
      form: { intent: "unlink", link: String(link.id) },
      headers: HTML,
    });
    strictEqual(gone.status, 303, gone.text);
    strictEqual(flashSet(gone)?.value, "oauth_disconnected.0");
    await withPassword.login(ALICE.email, NEW_PASSWORD);
  },
);

flowTest(
  "confirm access without a password: signing in again through the provider is the proof, and comes back to the page that asked",
  async ({ app }) => {
    const c = new FlowClient(app);
    const made = await c.flowThrough("/oauth/acme", driveOidc, ALICE.login);
    strictEqual(made.status, 303, made.text);
    const userId = String((await c.get("/api/auth/me")).json.user.id);
    const oldSession = c.sessionId;
    const oldCookie = c.cookie;
    await ageSession(app, c);

    const gate = await c.visit(PATH);
    strictEqual(gate.status, 303);
    const confirm = gate.headers.get("location")!;
    strictEqual(confirm, `/confirm-access?next=${encodeURIComponent(PATH)}`);
    const page = await c.visit(confirm);
    strictEqual(page.status, 200, page.text);
    const href = page.text.match(
      /href="(\/oauth\/acme\?next=[^"]+)"[^>]*>Continue with Acme SSO</,
    )?.[1];
    ok(href, "the page offers the account's provider");
    strictEqual(href, `/oauth/acme?next=${encodeURIComponent(PATH)}`);

    const signedInAgain = await c.flowThrough(
      href.replaceAll("&amp;", "&"),
      driveOidc,
      ALICE.login,
    );
    strictEqual(signedInAgain.status, 303, signedInAgain.text);
    strictEqual(signedInAgain.headers.get("location"), PATH);
    notStrictEqual(c.sessionId, oldSession, "a new session");
    strictEqual(
      (await c.get("/api/auth/me", { cookie: oldCookie })).status,
      401,
      "the old one ended, as at any sign-in",
    );
    strictEqual((await c.get("/api/auth/me")).json.user.id, userId);
    const open = await c.visit(PATH);
    strictEqual(open.status, 200, open.text);
    match(open.text, /Connected as/);
    // The fresh proof is good for the JSON routes too (the last link is
    // still refused, for its own reason).
    const [link] = await rows(
      app,
      "SELECT id FROM oauth_accounts WHERE user_id = ?",
      [userId],
    );
    strictEqual(
      (await c.delete(`/api/account/connections/${link.id}`)).status,
      409,
    );
  },
);

flowTest(
  "the connections page shows the notice of a connection it started",
  async ({ app }) => {
    const c = new FlowClient(app);
    await c.register("carol@example.com");
    const done = await c.flowThrough(
      "/oauth/github?intent=link",
      driveGitHub,
      ALICE.login,
      { headers: { "sec-fetch-site": "same-origin" } },
    );
    strictEqual(done.status, 303, done.text);
    strictEqual(done.headers.get("location"), PATH);
    const flash = flashSet(done)!.value;
    const page = await getPage(c, PATH, flash);
    match(
      page.text,
      /role="status"[^>]*>GitHub is connected\. You can now sign in with it\.</,
    );
    match(page.text, /Connected as <strong[^>]*>alice</);
    strictEqual(flashSet(page)?.value, "", "shown once");

    // The same GitHub account from another Islet account: refused, and
    // the page says so as a warning.
    const other = new FlowClient(app);
    await other.register("dave@example.com");
    const refused = await other.flowThrough(
      "/oauth/github?intent=link",
      driveGitHub,
      ALICE.login,
      { headers: { "sec-fetch-site": "same-origin" } },
    );
    strictEqual(refused.status, 303, refused.text);
    const warned = await getPage(other, PATH, flashSet(refused)!.value);
    match(
      warned.text,
      /role="status"[^>]*class="[^"]*amber[^"]*"[^>]*>That GitHub account is already connected to another Islet account/,
    );
    match(warned.text, />Connect GitHub</);
  },
);

flowTest(
  "confirm access without a password, two-factor on: the provider, then the code, then back to the page that asked",
  async ({ app }) => {
    const c = new FlowClient(app);
    const made = await c.flowThrough("/oauth/acme", driveOidc, ALICE.login);
    strictEqual(made.status, 303, made.text);
    const userId = String((await c.get("/api/auth/me")).json.user.id);
    // Two-factor on, from the fresh sign-in.
    strictEqual((await c.post("/api/account/two-factor/setup")).status, 200);
    const secret = await storedSecret(app, userId);
    const on = await c.post("/api/account/two-factor/enable", {
      json: { code: codeFor(secret) },
    });
    strictEqual(on.status, 200, on.text);
    await ageSession(app, c);

    const page = await c.visit(
      `/confirm-access?next=${encodeURIComponent(PATH)}`,
    );
    match(page.text, />Continue with Acme SSO</);
    const back = await c.flowThrough(
      `/oauth/acme?next=${encodeURIComponent(PATH)}`,
      driveOidc,
      ALICE.login,
    );
    strictEqual(back.status, 303, back.text);
    strictEqual(
      back.headers.get("location"),
      `/login/two-factor?next=${encodeURIComponent(PATH)}`,
    );
    // The provider alone is not the proof: the page still asks.
    strictEqual((await c.visit(PATH)).status, 303);
    const code = await c.post(
      `/login/two-factor?next=${encodeURIComponent(PATH)}`,
      { form: { code: codeFor(secret, 1) }, headers: HTML },
    );
    strictEqual(code.status, 303, code.text);
    strictEqual(code.headers.get("location"), PATH);
    strictEqual((await c.visit(PATH)).status, 200);
  },
);
