/**
 * The built app over HTTP: the account area's session forms (plain posts,
 * no JavaScript) really end sessions, and every action confirms itself
 * once through a flash cookie (post/redirect/get): ending sessions,
 * signing out, and being signed out from elsewhere.
 */
import { match, ok, strictEqual } from "node:assert/strict";
import { Client, uniqueEmail } from "../helpers/auth.ts";
import {
  appTest,
  countShown as count,
  flashSet,
  getPage,
  HTML,
} from "../helpers/pages.ts";

const FIREFOX =
  "Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0";

appTest(
  "settings: the 'sign out all other sessions' form ends them, and says how many, once",
  async (app) => {
    const email = uniqueEmail();
    const laptop = new Client(app);
    await laptop.register(email);
    const phone = new Client(app);
    const tablet = new Client(app);
    await phone.login(email);
    await tablet.login(email);

    const before = await getPage(laptop, "/settings/sessions");
    strictEqual(before.status, 200, before.text);
    strictEqual(count(before.text, "data-session-id="), 3);
    for (const path of ["/dashboard", "/settings", "/settings/security"]) {
      const page = await getPage(laptop, path);
      strictEqual(page.status, 200, path);
      strictEqual(page.headers.get("cache-control"), "no-store", path);
    }
    // The current device comes first and is marked.
    ok(
      before.text.indexOf(`data-session-id="${laptop.sessionId}"`) <
        before.text.indexOf(
          "data-session-id=",
          before.text.indexOf("data-session-id=") + 1,
        ),
    );
    strictEqual(count(before.text, "This device"), 1);
    match(before.text, /Sign out all other sessions \(2\)/);

    const posted = await laptop.post("/settings/sessions", {
      form: { action: "end-others" },
      headers: HTML,
    });
    strictEqual(posted.status, 303, posted.text);
    strictEqual(posted.headers.get("location"), "/settings/sessions");
    strictEqual(posted.setCookie, null, "the laptop keeps its session");
    const flash = flashSet(posted);
    strictEqual(flash?.value, "others_ended.2");
    strictEqual(flash?.attrs, "Path=/; HttpOnly; SameSite=Lax; Max-Age=60");

    // The two other cookies are dead: 401 from the API, sent to sign in from pages.
    strictEqual(await phone.meStatus(), 401);
    strictEqual(await tablet.meStatus(), 401);
    const locked = await getPage(new Client(app), "/settings/sessions");
    strictEqual(locked.status, 303);
    for (const other of [phone, tablet]) {
      const page = await other.get("/settings/sessions", { headers: HTML });
      strictEqual(page.status, 303);
      strictEqual(
        page.headers.get("location"),
        "/login?next=%2Fsettings%2Fsessions",
      );
    }
    strictEqual(await laptop.meStatus(), 200);

    // The page after the redirect says so once, and clears the flash.
    const after = await getPage(laptop, "/settings/sessions", flash!.value);
    strictEqual(after.status, 200);
    strictEqual(count(after.text, "2 other sessions were signed out."), 1);
    strictEqual(flashSet(after)?.value, "", "the flash is cleared");
    match(flashSet(after)!.attrs, /Max-Age=0/);
    strictEqual(after.headers.get("cache-control"), "no-store");
    strictEqual(count(after.text, "data-session-id="), 1);
    ok(!after.text.includes("Sign out all other sessions"));
    // A reload (the browser dropped the cleared cookie) shows nothing.
    const reload = await getPage(laptop, "/settings/sessions");
    ok(!reload.text.includes("signed out."), "no notice on reload");
    strictEqual(flashSet(reload), null);
  },
);

appTest(
  "settings: ending one session names the device; a gone or foreign session changes nothing; bad posts are 400; this device's own is a sign-out",
  async (app) => {
    const email = uniqueEmail();
    const me = new Client(app);
    await me.register(email);
    const firefox = new Client(app, { userAgent: FIREFOX });
    await firefox.login(email);
    const mallory = new Client(app);
    await mallory.register(uniqueEmail("mallory"));

    const listing = await getPage(me, "/settings/sessions");
    match(
      listing.text,
      /aria-label="End session on Firefox on Linux from 10\.[0-9.]+"/,
    );

    const end = (id: string) =>
      me.post("/settings/sessions", {
        form: { action: "end", id },
        headers: HTML,
      });
    const ended = await end(firefox.sessionId!);
    strictEqual(ended.status, 303);
    strictEqual(await firefox.meStatus(), 401);
    const shown = await getPage(
      me,
      "/settings/sessions",
      flashSet(ended)!.value,
    );
    strictEqual(
      count(shown.text, "The session on Firefox on Linux was ended."),
      1,
    );

    const again = await end(firefox.sessionId!);
    strictEqual(flashSet(again)?.value, "session_gone");
    const foreign = await end(mallory.sessionId!);
    strictEqual(flashSet(foreign)?.value, "session_gone");
    strictEqual(await mallory.meStatus(), 200, "someone else's session lives");
    match(
      (await getPage(me, "/settings/sessions", "session_gone")).text,
      /That session had already ended\./,
    );

    for (
      const form of [{ action: "nope" }, { action: "end" }, {}] as Record<
        string,
        string
      >[]
    ) {
      const bad = await me.post("/settings/sessions", { form, headers: HTML });
      strictEqual(bad.status, 400, JSON.stringify(form));
      strictEqual(flashSet(bad), null);
    }
    strictEqual(await me.meStatus(), 200);

    // A flash cookie is a name, never text: garbage is cleared unseen.
    const forged = await getPage(
      me,
      "/settings/sessions",
      "%3Cb%3Epwned%3C%2Fb%3E",
    );
    ok(!forged.text.includes("pwned"));
    strictEqual(flashSet(forged)?.value, "");
    ok(!forged.text.includes('role="status"'));

    // This device's own session, as the API's DELETE does: a sign-out.
    const token = me.cookie;
    const own = await end(me.sessionId!);
    strictEqual(own.status, 303);
    strictEqual(own.headers.get("location"), "/login");
    strictEqual(own.setCookie, "", "the session cookie is cleared");
    strictEqual(flashSet(own)?.value, "signed_out");
    const after = await me.request("GET", "/api/auth/me", { cookie: token });
    strictEqual(after.status, 401, "the old token is refused by the server");
  },
);

appTest(
  "sign-out by form lands on the sign-in page, which says so once; JSON callers keep JSON",
  async (app) => {
    const me = new Client(app);
    await me.register(uniqueEmail());
    const out = await me.post("/api/auth/logout", { form: {}, headers: HTML });
    strictEqual(out.status, 303);
    strictEqual(out.headers.get("location"), "/login");
    strictEqual(out.setCookie, "", "the session cookie is cleared");
    strictEqual(flashSet(out)?.value, "signed_out");

    const login = await getPage(me, "/login", "signed_out");
    strictEqual(login.status, 200);
    strictEqual(count(login.text, "You have signed out."), 1);
    strictEqual(flashSet(login)?.value, "");
    ok(!(await getPage(me, "/login")).text.includes("You have signed out."));
    // Another page's flash is left for that page.
    const elsewhere = await getPage(me, "/login", "others_ended.2");
    ok(!elsewhere.text.includes("signed out"));
    strictEqual(flashSet(elsewhere), null);

    const json = new Client(app);
    await json.register(uniqueEmail());
    const answer = await json.post("/api/auth/logout");
    strictEqual(answer.status, 200);
    strictEqual(answer.json.success, true);
    strictEqual(flashSet(answer), null);
  },
);

appTest(
  "signed out from another device: the next protected page sends you to sign in, saying why",
  async (app) => {
    const email = uniqueEmail();
    const here = new Client(app);
    await here.register(email);
    const elsewhere = new Client(app);
    await elsewhere.login(email);
    await elsewhere.post("/settings/sessions", {
      form: { action: "end-others" },
      headers: HTML,
    });

    const page = await here.get("/settings", { headers: HTML });
    strictEqual(page.status, 303);
    strictEqual(page.headers.get("location"), "/login?next=%2Fsettings");
    strictEqual(flashSet(page)?.value, "session_expired");
    strictEqual(page.setCookie, "", "the dead session cookie is cleared too");
    strictEqual(here.cookie, null);

    const login = await getPage(
      here,
      "/login?next=%2Fsettings",
      "session_expired",
    );
    strictEqual(
      count(
        login.text,
        "You were signed out (your session ended on another device or expired).",
      ),
      1,
    );
    // No cookie at all is an ordinary visit: no message.
    const fresh = await new Client(app).get("/settings", { headers: HTML });
    strictEqual(fresh.status, 303);
    strictEqual(flashSet(fresh), null);
  },
);
