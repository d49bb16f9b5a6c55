/**
 * Connecting a provider to the signed-in account (`/oauth/<id>?intent=link`,
 * from Settings → Connected accounts), over HTTP on both engines: the
 * happy path (link row, audit, notice, the flash on the connections page)
 * and its gates: signed in, a recent sign-in proof, a start made by
 * Islet's own page or typed (`Sec-Fetch-Site`), and a callback finished in
 * the session of the account that started it. An identity that belongs
 * to another account is refused with a flash, and nothing changes.
 */
import { deepStrictEqual, match, ok, strictEqual } from "node:assert/strict";
import { ageSession, uniqueEmail } from "../helpers/auth.ts";
import {
  assertUnchanged,
  FlowClient,
  rows,
  snapshotTables,
} from "./oauth_sign_in_kit.ts";
import { oauthTest } from "./oauth_sign_in_setup.ts";

const SAME_ORIGIN = { "sec-fetch-site": "same-origin" };

/** A password account, freshly signed in (a recent sign-in proof). */
async function signedIn(app: FlowClient["app"]) {
  const c = new FlowClient(app);
  const a = await c.register(uniqueEmail("link"));
  return { c, userId: String(a.json.user.id) };
}

/** The flash a redirect leaves, `kind.n`. */
function flashOf(headers: Headers): string | null {
  const line = headers.getSetCookie().find((s) => s.startsWith("flash="));
  return line === undefined ? null : line.split(";")[0].slice(6);
}

oauthTest(
  "connect GitHub from settings: linked to the signed-in account, audited, its owner told, and the connections page's notice",
  async ({ app, drive }) => {
    const { c, userId } = await signedIn(app);
    const sessionBefore = c.cookie;
    const done = await c.flowThrough(
      "/oauth/github?intent=link",
      drive.github,
      "alice",
      { headers: SAME_ORIGIN },
    );
    strictEqual(done.status, 303, done.text);
    strictEqual(done.headers.get("location"), "/settings/connections");
    strictEqual(flashOf(done.headers), "oauth_connected.0");
    strictEqual(c.cookie, sessionBefore, "the same session: no new sign-in");
    // The connections page says so, once.
    const page = await c.get("/settings/connections", {
      cookie: `${c.cookie}; flash=${flashOf(done.headers)}`,
      headers: { accept: "text/html" },
    });
    strictEqual(page.status, 200, page.text.slice(0, 300));
    ok(page.text.includes("GitHub is connected."), "the notice");
    strictEqual(c.flow, null);
    const links = await rows(
      app,
      "SELECT provider FROM oauth_accounts WHERE user_id = ?",
      [userId],
    );
    deepStrictEqual(links.map((l) => l.provider), ["github"]);
    const audit = await rows(
      app,
      "SELECT details FROM audit_log WHERE user_id = ? AND event = 'oauth.linked'",
      [userId],
    );
    strictEqual(audit.length, 1);
    match(String(audit[0].details), /settings/);
    // The identity now signs in to this account.
    const other = new FlowClient(app);
    const signIn = await other.flowThrough(
      "/oauth/github",
      drive.github,
      "alice",
    );
    strictEqual(signIn.status, 303, signIn.text);
    strictEqual((await other.get("/api/auth/me")).json.user.id, userId);
  },
);

oauthTest(
  "the gates of a connection: signed out → sign in first; an old sign-in → confirm access; a cross-site or unlabelled start → 403; typed in the address bar → fine",
  async ({ app }) => {
    const out = new FlowClient(app);
    const signedOut = await out.visit("/oauth/github?intent=link", SAME_ORIGIN);
    strictEqual(signedOut.status, 303);
    strictEqual(
      signedOut.headers.get("location"),
      "/login?next=%2Fsettings%2Fconnections",
    );
    strictEqual(out.flow, null);

    const { c } = await signedIn(app);
    for (const site of ["cross-site", "same-site", null]) {
      const a = await c.visit(
        "/oauth/github?intent=link",
        site === null ? {} : { "sec-fetch-site": site },
      );
      strictEqual(a.status, 403, `Sec-Fetch-Site: ${site}`);
      match(a.text, /data-reason="cross_site"/);
      strictEqual(c.flow, null);
    }
    const typed = await c.visit("/oauth/github?intent=link", {
      "sec-fetch-site": "none",
    });
    strictEqual(typed.status, 303);
    ok(typed.headers.get("location")!.startsWith("http://localhost:"));
    c.flow = null;

    await ageSession(app, c);
    const old = await c.visit("/oauth/github?intent=link", SAME_ORIGIN);
    strictEqual(old.status, 303);
    strictEqual(
      old.headers.get("location"),
      "/confirm-access?next=%2Fsettings%2Fconnections",
    );
    strictEqual(c.flow, null);
  },
);

oauthTest(
  "a connection finished in another session (signed out, or another account's) connects nothing, and its code is not exchanged: 403 page",
  async ({ app, drive, github }) => {
    const exchanges = () =>
      github.requests().filter((r) => r.includes("access_token")).length;
    const { c, userId } = await signedIn(app);
    const at = await c.start("/oauth/github?intent=link", SAME_ORIGIN);
    const back = await drive.github(at, "alice");
    // Another account's browser gets the callback, with this flow cookie.
    const { c: mallory } = await signedIn(app);
    mallory.flow = c.flow;
    const before = await snapshotTables(app);
    const exchanged = exchanges();
    const other = await mallory.callback(back);
    strictEqual(other.status, 403, other.text);
    strictEqual(exchanges(), exchanged, "the code is not exchanged");
    match(other.text, /data-reason="wrong_account"/);
    await assertUnchanged(app, before);

    // Signed out between start and callback.
    const at2 = await c.start("/oauth/github?intent=link", SAME_ORIGIN);
    const back2 = await drive.github(at2, "alice");
    strictEqual((await c.post("/api/auth/logout")).status, 200);
    const before2 = await snapshotTables(app);
    const gone = await c.callback(back2);
    strictEqual(gone.status, 403, gone.text);
    await assertUnchanged(app, before2);
    const links = await rows(
      app,
      "SELECT id FROM oauth_accounts WHERE user_id = ?",
      [userId],
    );
    strictEqual(links.length, 0);
  },
);

oauthTest(
  "an identity another account has is not moved: the refusal as a notice, nothing changed",
  async ({ app, drive }) => {
    // Alice signs up through GitHub: the identity is hers.
    const alice = new FlowClient(app);
    strictEqual(
      (await alice.flowThrough("/oauth/github", drive.github, "alice")).status,
      303,
    );
    const { c } = await signedIn(app);
    const at = await c.start("/oauth/github?intent=link", SAME_ORIGIN);
    const back = await drive.github(at, "alice");
    const before = await snapshotTables(app);
    const a = await c.callback(back);
    strictEqual(a.status, 303, a.text);
    strictEqual(a.headers.get("location"), "/settings/connections");
    strictEqual(flashOf(a.headers), "oauth_taken.0");
    const page = await c.get("/settings/connections", {
      cookie: `${c.cookie}; flash=oauth_taken.0`,
      headers: { accept: "text/html" },
    });
    ok(
      page.text.includes(
        "That GitHub account is already connected to another Islet account",
      ),
      "the refusal shown",
    );
    await assertUnchanged(app, before);
  },
);
