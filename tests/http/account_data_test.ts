/**
 * The account lifecycle pages and endpoints of issue 9 over HTTP, on both
 * engines, with mail read from a real SMTP server: the new-device notice
 * and its "this wasn't me" link, the security activity page, preferences
 * (the stored theme is what signed-in pages wear), the data export and
 * account deletion. Plain form posts throughout, as without JavaScript.
 */
import { match, ok, strictEqual } from "node:assert/strict";
import { ENGINES } from "../../lib/db/testing.ts";
import {
  type AuthApp,
  Client,
  PASSWORD,
  uniqueEmail,
  withApp,
} from "../helpers/auth.ts";
import { flashSet, getPage, HTML } from "../helpers/pages.ts";
import { startSmtp, type TestSmtp } from "../helpers/smtp.ts";

const FIREFOX =
  "Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0";
const IPHONE =
  "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1";

/** One test per engine, the app sending through a real SMTP server. */
function mailTest(
  name: string,
  fn: (app: AuthApp, smtp: TestSmtp) => Promise<void>,
): void {
  for (const engine of ENGINES) {
    Deno.test(`${name} [${engine}]`, async () => {
      const smtp = await startSmtp();
      try {
        await withApp((app) => fn(app, smtp), {
          engine,
          env: { SMTP_URL: smtp.url, MAIL_FROM: "Islet <islet@example.com>" },
        });
      } finally {
        await smtp.stop();
      }
    });
  }
}

mailTest(
  "a sign-in from a new device is mailed; its link's page ends every session on a button press, once",
  async (app, smtp) => {
    const email = uniqueEmail("device");
    const laptop = new Client(app, { userAgent: FIREFOX });
    await laptop.register(email);
    // The same device again (its sign-up session is replaced): no mail.
    await laptop.login(email);
    const phone = new Client(app, { userAgent: IPHONE });
    await phone.login(email);

    const mail = await smtp.waitFor((m) =>
      m.to.includes(email) && /New sign-in/.test(m.subject)
    );
    match(mail.text, /Safari on iPhone/);
    match(mail.text, new RegExp(phone.ip.replaceAll(".", "\\.")));
    strictEqual(
      smtp.messages().filter((m) => /New sign-in/.test(m.subject)).length,
      1,
      "one notice: the laptop's second sign-in was not new",
    );
    const link = mail.links.find((l) => l.includes("/account/not-me?token="));
    ok(link, mail.text);
    const path = new URL(link).pathname + new URL(link).search;

    // Opening the link ends nothing (a mail scanner would); it offers a button.
    const opened = await getPage(new Client(app), path);
    strictEqual(opened.status, 200);
    strictEqual(opened.headers.get("referrer-policy"), "same-origin");
    match(opened.text, /Sign out everywhere/);
    strictEqual(await laptop.meStatus(), 200);

    const token = new URL(link).searchParams.get("token")!;
    const stranger = new Client(app);
    const done = await stranger.post("/account/not-me", {
      form: { token },
      headers: HTML,
    });
    strictEqual(done.status, 303, done.text);
    strictEqual(done.headers.get("location"), "/account/not-me?done");
    strictEqual(flashSet(done)?.value, "not_me_done.2");
    for (const c of [laptop, phone]) strictEqual(await c.meStatus(), 401);
    const after = await getPage(
      stranger,
      "/account/not-me?done",
      "not_me_done.2",
    );
    match(after.text, /2 sessions of your account were ended/);
    match(after.text, /href="\/forgot-password"/);

    // Used: refused, by page and by API alike.
    const again = await stranger.post("/account/not-me", {
      form: { token },
      headers: HTML,
    });
    strictEqual(again.status, 400);
    match(again.text, /does not work/);
    const api = await stranger.post("/api/account/not-me", { json: { token } });
    strictEqual(api.status, 400);
    strictEqual(api.json.success, false);

    // The activity page tells the story, in words.
    await laptop.login(email);
    const activity = await getPage(laptop, "/settings/activity");
    strictEqual(activity.status, 200);
    for (
      const sentence of [
        "You created your account.",
        "You signed in.",
        "We emailed you about a sign-in from a device not seen before.",
        "Every session was ended from the link in a security email.",
      ]
    ) {
      ok(activity.text.includes(sentence), sentence);
    }
    match(activity.text, /Safari on iPhone/);
    ok(!activity.text.includes("auth.sign_in<"), "no raw event names shown");
  },
);

mailTest(
  "activity: paginated by cursor, newest first, in JSON too; a forged cursor is a 400",
  async (app) => {
    const email = uniqueEmail("activity");
    const me = new Client(app);
    await me.register(email);
    // Preference changes: each one an event, and not limited as
    // sign-ins are.
    for (let i = 0; i < 12; i++) {
      const a = await me.post("/api/account/preferences", {
        json: { theme: i % 2 ? "dark" : "light" },
      });
      strictEqual(a.status, 200, a.text);
    }
    const first = await me.get("/api/account/activity");
    strictEqual(first.status, 200);
    // 12 preference changes, then what register() did: sign-up, the
    // verification mail, sign-in.
    strictEqual(first.json.events.length, 15);
    strictEqual(first.json.next, null);
    strictEqual(
      first.json.events[0].description,
      "You changed your preferences.",
    );
    strictEqual(
      first.json.events.at(-1).description,
      "You created your account.",
    );
    for (let i = 0; i < 10; i++) {
      await me.post("/api/account/preferences", {
        json: { theme: i % 2 ? "light" : "dark" },
      });
    }
    const page1 = await getPage(me, "/settings/activity");
    match(page1.text, /rel="next"/);
    const next = /href="\/settings\/activity\?before=([0-9.]+)"/.exec(
      page1.text,
    );
    ok(next, "an Older events link");
    const page2 = await getPage(me, `/settings/activity?before=${next[1]}`);
    strictEqual(page2.status, 200);
    match(page2.text, /You created your account\./);
    match(page2.text, /Newest events/);
    const forged = await getPage(me, "/settings/activity?before=1%20OR%201=1");
    strictEqual(forged.status, 400);
    const forgedApi = await me.get("/api/account/activity?before=abc");
    strictEqual(forgedApi.status, 400);
  },
);

mailTest(
  "preferences: stored with the account, rendered on signed-in pages whatever the cookie; the header's no-JS switch stores it; bad values are 400",
  async (app) => {
    const me = new Client(app);
    await me.register(uniqueEmail("prefs"));
    const saved = await me.post("/settings/preferences", {
      form: { theme: "dark", language: "en" },
      headers: HTML,
    });
    strictEqual(saved.status, 303, saved.text);
    strictEqual(flashSet(saved)?.value, "preferences_saved");
    ok(saved.headers.getSetCookie().some((c) => c.startsWith("theme=dark")));
    // Another device, a light cookie: the account's theme wins.
    const page = await me.get("/dashboard", {
      headers: { ...HTML, cookie: `${me.cookie}; theme=light` },
    });
    match(page.text, /data-theme="dark"/);
    // Visitors keep the cookie.
    const visitor = await new Client(app).get("/", {
      headers: { ...HTML, cookie: "theme=light" },
    });
    match(visitor.text, /data-theme="light"/);

    const header = await me.post("/theme", {
      form: { theme: "light", next: "/settings" },
      headers: HTML,
    });
    strictEqual(header.status, 303);
    const prefs = await me.get("/api/account/preferences");
    strictEqual(prefs.json.preferences.theme, "light");

    const bad = await me.post("/settings/preferences", {
      form: { theme: "neon", language: "klingon" },
      headers: HTML,
    });
    strictEqual(bad.status, 400);
    match(bad.text, /Choose a theme/);
    match(bad.text, /Choose a language/);
    const badApi = await me.post("/api/account/preferences", {
      json: { theme: "neon" },
    });
    strictEqual(badApi.status, 400);
    strictEqual(
      badApi.json.details.theme,
      "Choose a theme: system, light or dark.",
    );
  },
);

mailTest(
  "export: a JSON attachment of the account without secrets, by page and API; limited to 5 an hour per account",
  async (app) => {
    const email = uniqueEmail("export");
    const me = new Client(app);
    await me.register(email);
    const api = await me.get("/api/account/export");
    strictEqual(api.status, 200, api.text);
    match(
      api.headers.get("content-disposition")!,
      /^attachment; filename="islet-account-\d{4}-\d{2}-\d{2}\.json"$/,
    );
    strictEqual(api.headers.get("cache-control"), "no-store");
    const doc = JSON.parse(api.text);
    strictEqual(doc.profile.email, email);
    strictEqual(doc.sessions.length, 1);
    ok(!/argon2|secret_?hash|password_?hash/i.test(api.text));

    const page = await me.post("/settings/data", {
      form: { action: "export" },
      headers: HTML,
    });
    strictEqual(page.status, 200);
    match(page.headers.get("content-disposition")!, /^attachment;/);
    for (let i = 0; i < 3; i++) {
      strictEqual((await me.get("/api/account/export")).status, 200);
    }
    const limited = await me.get("/api/account/export");
    strictEqual(limited.status, 429);
    ok(Number(limited.headers.get("retry-after")) > 0);
    const limitedPage = await me.post("/settings/data", {
      form: { action: "export" },
      headers: HTML,
    });
    strictEqual(limitedPage.status, 429);
    match(limitedPage.text, /Too many requests for this account/);
    // Signed out: no export.
    strictEqual((await new Client(app).get("/api/account/export")).status, 401);
  },
);

mailTest(
  "deletion (with a fresh sign-in as its proof): ends every session, removes the account, mails a goodbye; sign-in is refused after",
  async (app, smtp) => {
    const email = uniqueEmail("delete");
    const me = new Client(app);
    await me.register(email);
    const other = new Client(app);
    await other.login(email);

    const confirm = await getPage(me, "/settings/delete");
    strictEqual(confirm.status, 200);
    match(confirm.text, /What is removed/);
    match(confirm.text, /cannot be undone/);

    // One password prompt, on the confirm-access page: none here.
    strictEqual(confirm.text.includes('type="password"'), false);

    const done = await me.post("/settings/delete", { form: {}, headers: HTML });
    strictEqual(done.status, 303, done.text);
    strictEqual(done.headers.get("location"), "/login");
    strictEqual(done.setCookie, "", "the session cookie is removed");
    strictEqual(flashSet(done)?.value, "account_deleted");
    strictEqual(await other.meStatus(), 401);
    const goodbye = await smtp.waitFor((m) =>
      m.to.includes(email) && /deleted/.test(m.subject)
    );
    match(goodbye.text, /has been deleted/);

    const again = await new Client(app).post("/api/auth/login", {
      json: { email, password: PASSWORD },
    });
    strictEqual(again.status, 401);

    // The API adapter: DELETE, no body.
    const api = new Client(app);
    const apiEmail = uniqueEmail("delete-api");
    await api.register(apiEmail);
    const gone = await api.delete("/api/account");
    strictEqual(gone.status, 200, gone.text);
    strictEqual(gone.json.deleted, true);
    strictEqual(await api.meStatus(), 401);
  },
);
