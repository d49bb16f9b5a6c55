/**
 * Connected accounts over HTTP, on both engines: the settings page and its
 * JSON routes list every configured provider (connected, with who and
 * since when, or a Connect link) and the links of providers no longer
 * configured; Disconnect works as a plain form and as `DELETE`, writes its
 * audit row and mails the owner; the account's last way to sign in is
 * refused (409) and said before anyone presses; another account's link is
 * a 404 like an unknown one; an old session is sent to confirm it is them
 * (page and POST: 303; JSON: 403 naming the endpoint) and nothing changes.
 *
 * The accounts and links are made with the app's own functions
 * (`createUser`, `linkOAuthAccount`, `createSession`): what is under test
 * is the settings, not the provider flow (tests/http/oauth_sign_in_*).
 * The providers are configured but never contacted.
 */
import { deepStrictEqual, match, ok, strictEqual } from "node:assert/strict";
import { createSession } from "../../lib/auth/session.ts";
import { ENGINES } from "../../lib/db/testing.ts";
import {
  linkOAuthAccount,
  type OAuthProvider,
} from "../../lib/db/oauth_accounts.ts";
import { createUser } from "../../lib/db/users.ts";
import {
  ageSession,
  assertJsonError,
  type AuthApp,
  Client,
  PASSWORD,
  uniqueEmail,
  withApp,
} from "../helpers/auth.ts";
import { countShown, flashSet, getPage, HTML } from "../helpers/pages.ts";
import { startSmtp, type TestSmtp } from "../helpers/smtp.ts";

const PATH = "/settings/connections";
const API = "/api/account/connections";
/** Where the providers would be: nothing listens, and nothing is asked. */
const NOWHERE = "http://localhost:9";
const GITHUB_HOST = NOWHERE;

/** GitHub (an Enterprise host), Google, and one other OpenID Connect provider. */
export const PROVIDERS_ENV: Record<string, string> = {
  GITHUB_CLIENT_ID: "gh-client",
  GITHUB_CLIENT_SECRET: "gh-secret",
  GITHUB_URL: GITHUB_HOST,
  GOOGLE_CLIENT_ID: "google-client",
  GOOGLE_CLIENT_SECRET: "google-secret",
  GOOGLE_ISSUER: `${NOWHERE}/google`,
  OIDC_PROVIDERS: "acme",
  OIDC_ACME_ISSUER: `${NOWHERE}/acme`,
  OIDC_ACME_CLIENT_ID: "acme-client",
  OIDC_ACME_CLIENT_SECRET: "acme-secret",
  OIDC_ACME_NAME: "Acme SSO",
};

/** A link as stored: GitHub on the configured host, Acme, a retired issuer. */
const GITHUB = (id: string, label = "octocat") => ({
  provider: "github" as const,
  providerUserId: `${GITHUB_HOST} ${id}`,
  label,
});
const ACME = (sub: string, label: string) => ({
  provider: "oidc" as const,
  providerUserId: `${NOWHERE}/acme ${sub}`,
  label,
});
const RETIRED = (sub: string) => ({
  provider: "oidc" as const,
  providerUserId: `https://old-sso.example ${sub}`,
  label: "ada@old-sso.example",
});

type Link = { provider: OAuthProvider; providerUserId: string; label: string };

let smtp: TestSmtp;

/** One test per engine, with providers configured and a real SMTP server. */
function connectionsTest(
  name: string,
  fn: (app: AuthApp) => Promise<void>,
  env: Record<string, string> = PROVIDERS_ENV,
) {
  for (const engine of ENGINES) {
    Deno.test(`${name} [${engine}]`, async () => {
      smtp = await startSmtp();
      try {
        await withApp(fn, {
          engine,
          env: { ...env, SMTP_URL: smtp.url, MAIL_FROM: "islet@example.com" },
        });
      } finally {
        await smtp.stop();
      }
    });
  }
}

interface Account {
  me: Client;
  user: { id: string };
  email: string;
  /** The ids of `links`, in order. */
  linkIds: string[];
}

async function addLinks(app: AuthApp, userId: string, links: Link[]) {
  const ids: string[] = [];
  let at = Date.UTC(2026, 2, 14, 9, 30);
  for (const l of links) {
    const made = await linkOAuthAccount(
      app.services!.db,
      userId,
      l.provider,
      l.providerUserId,
      { label: l.label, now: at },
    );
    ids.push(made.id);
    at += 86_400_000;
  }
  return ids;
}

/** An account with a password, signed in just now, with `links`. */
async function withPassword(app: AuthApp, links: Link[]): Promise<Account> {
  const email = uniqueEmail("conn");
  const me = new Client(app);
  const user = { id: String((await me.register(email)).json.user.id) };
  const linkIds = await addLinks(app, user.id, links);
  return { me, user, email, linkIds };
}

/** An account made through a provider (no password), signed in just now. */
async function withoutPassword(app: AuthApp, links: Link[]): Promise<Account> {
  const email = uniqueEmail("oauth");
  const user = await createUser(app.services!.db, {
    email,
    username: `oauth-${crypto.randomUUID().slice(0, 8)}`,
    emailVerifiedAt: Date.now(),
  });
  const linkIds = await addLinks(app, user.id, links);
  const me = new Client(app);
  const { token } = await createSession(app.services!.sessions, user.id, {
    ip: me.ip,
    userAgent: me.userAgent,
  });
  me.cookie = `${app.cookieName}=${token}`;
  return { me, user, email, linkIds };
}

async function linkCount(app: AuthApp, userId: string): Promise<number> {
  const row = await app.services!.db.get(
    "SELECT count(*) AS n FROM oauth_accounts WHERE user_id = ?",
    [userId],
  );
  return Number(row?.n);
}

async function auditRows(app: AuthApp, userId: string, event: string) {
  const rows = await app.services!.db.all(
    "SELECT details FROM audit_log WHERE user_id = ? AND event = ? ORDER BY id",
    [userId, event],
  );
  return rows.map((r) => JSON.parse(String(r.details ?? "null")));
}

/** The page's text without tags, spaces collapsed: what a reader reads. */
function words(html: string): string {
  return html.replace(/<script[\s\S]*?<\/script>/g, "")
    .replace(/<[^>]+>/g, " ").replace(/\s+/g, " ").replace(/ ([.,:;])/g, "$1");
}

connectionsTest(
  "the page and the API list every provider: connected with who and since when, the others with Connect, retired links apart",
  async (app) => {
    const { me, linkIds } = await withPassword(app, [
      GITHUB("583231"),
      RETIRED("ada"),
    ]);
    const page = await getPage(me, PATH);
    strictEqual(page.status, 200, page.text);
    strictEqual(page.headers.get("cache-control"), "no-store");
    const text = words(page.text);
    match(text, /GitHub Connected as octocat since Mar 14, 2026\./);
    match(page.text, /<time datetime="2026-03-14T09:30:00.000Z">/);
    match(page.text, /aria-label="Disconnect GitHub \(octocat\)"/);
    match(
      page.text,
      new RegExp(`name="link" value="${linkIds[0]}"`),
      "the form names the link",
    );
    for (const [id, name] of [["google", "Google"], ["acme", "Acme SSO"]]) {
      match(
        page.text,
        new RegExp(`href="/oauth/${id}\\?intent=link"[^>]*>Connect ${name}<`),
      );
    }
    strictEqual(countShown(page.text, ">Connect GitHub<"), 0);
    match(text, /No longer offered/);
    match(
      text,
      /https:\/\/old-sso\.example Connected as ada@old-sso\.example since Mar 15, 2026\./,
    );
    strictEqual(
      countShown(page.text, ">Disconnect</button>"),
      2,
      "both links can go",
    );
    strictEqual(countShown(page.text, "Set a password first"), 0);

    const api = await me.get(API);
    strictEqual(api.status, 200, api.text);
    strictEqual(api.headers.get("cache-control"), "no-store");
    deepStrictEqual(api.json, {
      success: true,
      providers: [
        {
          id: "github",
          name: "GitHub",
          connectUrl: "/oauth/github?intent=link",
          connections: [{
            id: linkIds[0],
            label: "octocat",
            createdAt: "2026-03-14T09:30:00.000Z",
            lastMethod: false,
          }],
        },
        {
          id: "google",
          name: "Google",
          connectUrl: "/oauth/google?intent=link",
          connections: [],
        },
        {
          id: "acme",
          name: "Acme SSO",
          connectUrl: "/oauth/acme?intent=link",
          connections: [],
        },
      ],
      retired: [{
        id: linkIds[1],
        label: "ada@old-sso.example",
        createdAt: "2026-03-15T09:30:00.000Z",
        lastMethod: false,
        provider: "oidc",
        source: "https://old-sso.example",
      }],
      hasPassword: true,
    });
  },
);

connectionsTest(
  "Disconnect (form and DELETE): gone, 'GitHub is disconnected.', audited, the owner mailed",
  async (app) => {
    const { me, user, email, linkIds } = await withPassword(app, [
      GITHUB("583231"),
      ACME("sub-1", "ada@acme.example"),
    ]);
    const posted = await me.post(PATH, {
      form: { intent: "unlink", link: linkIds[0] },
      headers: HTML,
    });
    strictEqual(posted.status, 303, posted.text);
    strictEqual(posted.headers.get("location"), PATH);
    strictEqual(flashSet(posted)?.value, "oauth_disconnected.0");
    const after = await getPage(me, PATH, flashSet(posted)!.value);
    match(after.text, /role="status"[^>]*>GitHub is disconnected\.</);
    match(after.text, />Connect GitHub</);
    strictEqual(await linkCount(app, user.id), 1);
    deepStrictEqual(
      (await auditRows(app, user.id, "oauth.unlinked")).map((d) => d.provider),
      ["GitHub"],
    );
    const mail = await smtp.waitFor((m) =>
      m.to === email && /GitHub/.test(m.text) && /disconnect/i.test(m.subject)
    );
    match(mail.text, /octocat/);

    const deleted = await me.delete(`${API}/${linkIds[1]}`);
    strictEqual(deleted.status, 200, deleted.text);
    strictEqual(await linkCount(app, user.id), 0);
    deepStrictEqual(
      (await auditRows(app, user.id, "oauth.unlinked")).map((d) => d.provider),
      ["GitHub", "Acme SSO"],
    );
    await smtp.waitFor((m) => m.to === email && /Acme SSO/.test(m.text));

    // Gone is gone: a second press is the same 404 as an unknown id.
    assertJsonError(await me.delete(`${API}/${linkIds[1]}`), 404);
    const again = await me.post(PATH, {
      form: { intent: "unlink", link: linkIds[0] },
      headers: HTML,
    });
    strictEqual(again.status, 404);
    match(again.text, /role="alert"/);
  },
);

connectionsTest(
  "the last way to sign in: explained before pressing, refused with 409 when pressed, nothing written",
  async (app) => {
    const { me, user, email, linkIds } = await withoutPassword(app, [
      GITHUB("1001", "ada-gh"),
      ACME("sub-2", "ada@acme.example"),
    ]);
    // Two links and no password: either may go, and the page says nothing
    // of a last method yet.
    let page = await getPage(me, PATH);
    strictEqual(page.status, 200, page.text);
    strictEqual(countShown(page.text, "Set a password first"), 0);
    match(words(page.text), /Your account has no password/);
    const first = await me.delete(`${API}/${linkIds[1]}`);
    strictEqual(first.status, 200, first.text);
    await smtp.waitFor((m) => m.to === email && /Acme SSO/.test(m.text));

    page = await getPage(me, PATH);
    const text = words(page.text);
    match(
      text,
      /This is your only way to sign in, so it cannot be disconnected yet\. Set a password first: ask for a link to choose one, then come back here\./,
    );
    match(page.text, /href="\/forgot-password"/);
    // Still a button (it works without JavaScript and says why on press),
    // described by the explanation.
    match(
      page.text,
      new RegExp(
        `<button type="submit"[^>]*aria-describedby="last-method-${
          linkIds[0]
        }"[^>]*>Disconnect</button>`,
      ),
    );
    ok(!/<button[^>]*disabled[^>]*>Disconnect/.test(page.text));
    strictEqual(
      (await me.get(API)).json.providers[0].connections[0].lastMethod,
      true,
    );

    const mailsBefore = smtp.messages().filter((m) => m.to === email).length;
    const posted = await me.post(PATH, {
      form: { intent: "unlink", link: linkIds[0] },
      headers: HTML,
    });
    strictEqual(posted.status, 409, posted.text);
    strictEqual(flashSet(posted), null);
    match(words(posted.text), /Set a password first/);
    match(posted.text, /role="alert"[\s\S]*href="\/forgot-password"/);
    const json = await me.delete(`${API}/${linkIds[0]}`);
    assertJsonError(json, 409);
    match(json.json.error, /Set a password first/);

    strictEqual(await linkCount(app, user.id), 1, "the link stays");
    strictEqual((await auditRows(app, user.id, "oauth.unlinked")).length, 1);
    // Let a mail that should not be there have its chance to arrive.
    await new Promise((r) => setTimeout(r, 300));
    strictEqual(
      smtp.messages().filter((m) => m.to === email).length,
      mailsBefore,
    );
    strictEqual(await me.meStatus(), 200);
  },
);

connectionsTest(
  "another account's link, an unknown or a malformed id: 404 alike, and nothing changes",
  async (app) => {
    const bob = await withPassword(app, [GITHUB("2002", "bob")]);
    const { me } = await withPassword(app, [GITHUB("3003", "ada")]);
    for (
      const id of [
        bob.linkIds[0],
        "999999",
        "0",
        "abc",
        "1e3",
        "-1",
        "9".repeat(40),
      ]
    ) {
      assertJsonError(await me.delete(`${API}/${encodeURIComponent(id)}`), 404);
      const page = await me.post(PATH, {
        form: { intent: "unlink", link: id },
        headers: HTML,
      });
      strictEqual(page.status, 404, id);
      match(words(page.text), /That connected account was not found/);
    }
    strictEqual(await linkCount(app, bob.user.id), 1);
    strictEqual(
      (await auditRows(app, bob.user.id, "oauth.unlinked")).length,
      0,
    );
    // A form that names no action is a 400, not a guess.
    const bare = await me.post(PATH, {
      form: { link: bob.linkIds[0] },
      headers: HTML,
    });
    strictEqual(bare.status, 400);
    const noLink = await me.post(PATH, {
      form: { intent: "unlink" },
      headers: HTML,
    });
    strictEqual(noLink.status, 400);
    strictEqual(await linkCount(app, bob.user.id), 1);
  },
);

connectionsTest(
  "an old session confirms first: page and POST 303 to confirm-access, JSON 403 naming the endpoint, nothing changes",
  async (app) => {
    const { me, user, linkIds } = await withPassword(app, [GITHUB("4004")]);
    await ageSession(app, me);
    const next = `/confirm-access?next=${encodeURIComponent(PATH)}`;
    const page = await getPage(me, PATH);
    strictEqual(page.status, 303);
    strictEqual(page.headers.get("location"), next);
    const posted = await me.post(PATH, {
      form: { intent: "unlink", link: linkIds[0] },
      headers: HTML,
    });
    strictEqual(posted.status, 303);
    strictEqual(posted.headers.get("location"), next);
    for (
      const a of [await me.get(API), await me.delete(`${API}/${linkIds[0]}`)]
    ) {
      assertJsonError(a, 403);
      strictEqual(a.json.details.reauthenticate, "/api/auth/confirm-access");
    }
    strictEqual(await linkCount(app, user.id), 1);

    const confirmed = await me.post(next, {
      form: { password: PASSWORD },
      headers: HTML,
    });
    strictEqual(confirmed.status, 303, confirmed.text);
    strictEqual(confirmed.headers.get("location"), PATH);
    strictEqual((await getPage(me, PATH)).status, 200);
    strictEqual((await me.delete(`${API}/${linkIds[0]}`)).status, 200);

    // Signed out: the page sends to sign-in, the API is 401.
    const stranger = new Client(app);
    strictEqual((await getPage(stranger, PATH)).status, 303);
    assertJsonError(await stranger.get(API), 401);
    assertJsonError(await stranger.delete(`${API}/${linkIds[0]}`), 401);
  },
);

connectionsTest(
  "the settings tab shows only with a provider configured; without one the page says there is nothing to connect",
  async (app) => {
    const { me } = await withPassword(app, []);
    const settings = await getPage(me, "/settings");
    match(
      settings.text,
      /href="\/settings\/connections"[^>]*>Connected accounts</,
    );
    await withApp(async (plain) => {
      const c = new Client(plain);
      await c.register(uniqueEmail("plain"));
      const tabs = (await getPage(c, "/settings")).text;
      strictEqual(countShown(tabs, "Connected accounts"), 0);
      const page = await getPage(c, PATH);
      strictEqual(page.status, 200);
      match(words(page.text), /No sign-in providers are set up on this server/);
      strictEqual(countShown(page.text, "Connect "), 0);
    }, { engine: app.engine });
  },
);

connectionsTest(
  "confirm access without a password offers the account's providers, back to next",
  async (app) => {
    const { me } = await withoutPassword(app, [
      GITHUB("5005", "ada-gh"),
      RETIRED("ada"),
    ]);
    await ageSession(app, me);
    const page = await getPage(
      me,
      `/confirm-access?next=${encodeURIComponent(PATH)}`,
    );
    strictEqual(page.status, 200, page.text);
    match(
      page.text,
      /href="\/oauth\/github\?next=%2Fsettings%2Fconnections"[^>]*>Continue with GitHub</,
    );
    // Only providers it is connected to and that are still offered.
    strictEqual(countShown(page.text, "Continue with"), 1);
    strictEqual(countShown(page.text, 'type="password"'), 0);
    // An off-site next is not carried into the provider link.
    const evil = await getPage(
      me,
      "/confirm-access?next=https%3A%2F%2Fevil.example",
    );
    match(evil.text, /href="\/oauth\/github\?next=%2Fsettings"/);

    // With only a retired link there is nothing to sign in with here.
    const retiredOnly = await withoutPassword(app, [RETIRED("bob")]);
    const none = await getPage(
      retiredOnly.me,
      `/confirm-access?next=${encodeURIComponent(PATH)}`,
    );
    strictEqual(countShown(none.text, "Continue with"), 0);
    match(words(none.text), /This account has no password to confirm it with/);

    // An account with a password confirms with it, whatever it is connected to.
    const withPw = await withPassword(app, [GITHUB("6006")]);
    const pw = await getPage(
      withPw.me,
      `/confirm-access?next=${encodeURIComponent(PATH)}`,
    );
    strictEqual(countShown(pw.text, "Continue with"), 0);
    match(pw.text, /autocomplete="current-password"/);
  },
);
