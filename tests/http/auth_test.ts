/**
 * The built app over HTTP: sign-up, sign-in, /api/auth/me and sign-out,
 * with cookies kept by hand.
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
  Client,
  PASSWORD,
  uniqueEmail,
} from "../helpers/auth.ts";

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
  "auth: register with JSON or a form answers 202 and no cookie; sign-in gives an HttpOnly, SameSite=Lax session cookie",
  async (app) => {
    const asJson = new Client(app);
    const email = uniqueEmail("json");
    const signedUp = await asJson.signUp(email.toUpperCase());
    deepStrictEqual(signedUp.json, {
      success: true,
      message: `Check your inbox at ${email} to confirm it.`,
    });
    strictEqual(signedUp.headers.getSetCookie().length, 0, "no cookie at all");
    strictEqual(await asJson.meStatus(), 401, "not signed in");
    const a = await asJson.login(email.toUpperCase());
    strictEqual(a.json.success, true);
    strictEqual(a.json.user.email, email, "stored normalised");
    strictEqual(a.json.user.emailVerified, false);
    ok(!("passwordHash" in a.json.user) && !a.text.includes("argon2"));
    match(a.setCookie!, /^session=[a-z2-7]{24}\.[a-z2-7]{52}$/);
    const attrs = attributes(a.rawSetCookie!);
    ok(attrs.has("httponly"), a.rawSetCookie!);
    strictEqual(attrs.get("samesite"), "Lax");
    strictEqual(attrs.get("path"), "/");
    ok(!attrs.has("secure"), "no Secure on plain-HTTP localhost");
    ok(!attrs.has("domain"));
    ok(Number(attrs.get("max-age")) > 29 * 86_400, "lives ~30 days");

    const asForm = new Client(app);
    const formEmail = uniqueEmail("form");
    const b = await asForm.post("/api/auth/register", {
      form: { email: formEmail, password: PASSWORD },
    });
    strictEqual(b.status, 202, b.text);
    strictEqual(b.setCookie, null);
    await asForm.login(formEmail);
    strictEqual(await asForm.meStatus(), 200);

    // The same email again: the same answer, no second account, no session.
    const again = await new Client(app).post("/api/auth/register", {
      json: { email, password: PASSWORD },
    });
    strictEqual(again.status, 202);
    strictEqual(again.text, signedUp.text);
    strictEqual(again.setCookie, null);
  },
);

appTest(
  "auth: with an https APP_URL the cookie is __Host-session and Secure, and only that name is read",
  async (app) => {
    strictEqual(app.origin, "https://islet.example");
    const alice = new Client(app);
    const a = await alice.register(uniqueEmail());
    match(a.rawSetCookie!, /^__Host-session=[a-z2-7.]{77};/);
    const attrs = attributes(a.rawSetCookie!);
    ok(attrs.has("secure") && attrs.has("httponly"), a.rawSetCookie!);
    strictEqual(attrs.get("samesite"), "Lax");
    strictEqual(attrs.get("path"), "/");
    ok(!attrs.has("domain"), "__Host- cookies carry no Domain");
    match(a.headers.get("strict-transport-security") ?? "", /max-age=\d+/);

    strictEqual(await alice.meStatus(), 200);
    // A plain `session` cookie (settable by a sibling host) is ignored.
    const plain = await alice.get("/api/auth/me", {
      cookie: `session=${alice.token}`,
    });
    assertJsonError(plain, 401);
    // And the CSRF check is against the https origin.
    const wrongOrigin = await new Client(app).post("/api/auth/login", {
      json: { email: "a@example.com", password: PASSWORD },
      headers: { origin: app.url },
    });
    assertJsonError(wrongOrigin, 403);
  },
  { env: { APP_URL: "https://islet.example" } },
);

appTest(
  "auth: /api/auth/me is the user with the cookie and a 401 JSON error without",
  async (app) => {
    const alice = new Client(app);
    const email = uniqueEmail();
    const reg = await alice.register(email);
    const me = await alice.get("/api/auth/me");
    strictEqual(me.status, 200);
    strictEqual(me.json.success, true);
    deepStrictEqual(me.json.user, reg.json.user);
    strictEqual(me.json.user.email, email);
    strictEqual(me.headers.get("cache-control"), "no-store");

    const anonymous = await alice.get("/api/auth/me", { cookie: null });
    assertJsonError(anonymous, 401);
    strictEqual(anonymous.setCookie, null, "no cookie to clear");
    for (
      const cookie of [
        "session=",
        "session=garbage",
        `session=${"a".repeat(5000)}`,
        `session=${alice.token}x`,
        // The last character changed (to "a", or "b" when it already is "a").
        `session=${alice.token!.slice(0, -1)}${
          alice.token!.endsWith("a") ? "b" : "a"
        }`,
        `other=${alice.token}`,
      ]
    ) {
      const a = await alice.get("/api/auth/me", { cookie });
      assertJsonError(a, 401);
    }
  },
);

appTest(
  "auth: sign-out deletes the session server-side; the old cookie is refused everywhere",
  async (app) => {
    const alice = new Client(app);
    await alice.register(uniqueEmail());
    const oldCookie = alice.cookie!;
    strictEqual((await alice.get("/dashboard")).status, 200);

    const out = await alice.post("/api/auth/logout");
    strictEqual(out.status, 200, out.text);
    strictEqual(out.json.success, true);
    strictEqual(out.setCookie, "", "the cookie is cleared");
    match(out.rawSetCookie!, /Max-Age=0/);
    strictEqual(alice.cookie, null);

    // Replaying the cookie: the session is gone on the server.
    const me = await alice.get("/api/auth/me", { cookie: oldCookie });
    assertJsonError(me, 401);
    strictEqual(me.setCookie, "", "a dead cookie is cleared");
    const page = await alice.get("/dashboard", {
      cookie: oldCookie,
      headers: { accept: "text/html" },
    });
    strictEqual(page.status, 303);
    strictEqual(page.headers.get("location"), "/login?next=%2Fdashboard");

    // The plain HTML form (no JavaScript) lands on the sign-in page.
    const bob = new Client(app);
    await bob.register(uniqueEmail());
    const bobCookie = bob.cookie!;
    const form = await bob.post("/api/auth/logout", {
      form: {},
      headers: { accept: "text/html" },
    });
    strictEqual(form.status, 303);
    strictEqual(form.headers.get("location"), "/login");
    strictEqual(form.setCookie, "");
    strictEqual(
      (await bob.get("/api/auth/me", { cookie: bobCookie })).status,
      401,
    );
  },
);

appTest(
  "auth: sign-in starts a new session; a cookie held before sign-in never becomes valid",
  async (app) => {
    const email = uniqueEmail();
    const alice = new Client(app);
    await alice.register(email);
    const registered = alice.cookie!;

    // Signing in again while signed in: a new token, the old one is ended.
    const again = await alice.login(email);
    notStrictEqual(alice.cookie, registered);
    strictEqual(again.json.user.email, email);
    strictEqual(await alice.meStatus(), 200);
    strictEqual(
      (await alice.get("/api/auth/me", { cookie: registered })).status,
      401,
    );

    // Fixation: a token planted before sign-in is replaced, not adopted.
    const planted = (b: number) =>
      "abcdefghijklmnopqrstuvwxyz234567".repeat(4).slice(b, b + 24) + "." +
      "a".repeat(52);
    for (const fixed of ["session=abc.def", `session=${planted(3)}`]) {
      const victim = new Client(app);
      const res = await victim.post("/api/auth/login", {
        json: { email, password: PASSWORD },
        cookie: fixed,
      });
      strictEqual(res.status, 200, res.text);
      ok(res.setCookie && res.setCookie !== fixed, "a fresh cookie is set");
      assertJsonError(
        await victim.get("/api/auth/me", { cookie: fixed }),
        401,
      );
      strictEqual(
        (await victim.get("/api/auth/me", { cookie: res.setCookie })).status,
        200,
      );
    }

    // The HTML form sign-in also issues a new session and redirects to `next`.
    const form = new Client(app);
    const before = alice.cookie!;
    const page = await form.post("/login?next=%2Fdashboard%3Ftab%3D2", {
      form: { email, password: PASSWORD },
      cookie: before,
      headers: { accept: "text/html" },
    });
    strictEqual(page.status, 303, page.text);
    strictEqual(page.headers.get("location"), "/dashboard?tab=2");
    ok(page.setCookie && page.setCookie !== before);
    strictEqual(
      (await form.get("/api/auth/me", { cookie: before })).status,
      401,
    );
    // An off-site `next` is ignored.
    const evil = await new Client(app).post("/login?next=//evil.example", {
      form: { email, password: PASSWORD },
      headers: { accept: "text/html" },
    });
    strictEqual(evil.headers.get("location"), "/dashboard");
  },
);
