/**
 * The built app over HTTP: the form pages without JavaScript say each
 * problem once, and the dashboard welcomes a new account with next steps.
 */
import { match, ok, strictEqual } from "node:assert/strict";
import { Client, uniqueEmail } from "../helpers/auth.ts";
import {
  appTest,
  countShown as count,
  getPage,
  HTML,
} from "../helpers/pages.ts";

appTest(
  "forms without JavaScript: one message per problem; sign-up says the same for a taken email as for a new one",
  async (app) => {
    const email = uniqueEmail();
    const fresh = await new Client(app).post("/signup", {
      form: { email, password: "Tulip orbit 7391 quartz!" },
      headers: HTML,
    });
    const taken = await new Client(app).post("/signup", {
      form: { email, password: "Another orbit 7391 quartz!" },
      headers: HTML,
    });
    for (const a of [fresh, taken]) {
      strictEqual(a.status, 200);
      strictEqual(
        count(a.text, `Check your inbox at ${email}`),
        1,
        "said once",
      );
      ok(!a.text.includes("already"), "nothing says the address is known");
      match(a.text, /<a [^>]*href="\/login"[^>]*>Sign in<\/a>/);
    }
    const nonce = /nonce="[^"]*"|nonce-[A-Za-z0-9+/=_-]+/g;
    strictEqual(
      taken.text.replace(nonce, ""),
      fresh.text.replace(nonce, ""),
      "the same page, apart from the CSP nonce",
    );

    const empty = await new Client(app).post("/login", {
      form: { email: "", password: "" },
      headers: HTML,
    });
    strictEqual(empty.status, 400);
    strictEqual(count(empty.text, "Enter your email address"), 1);
    strictEqual(count(empty.text, "Enter your password"), 1);
    strictEqual(
      count(empty.text, "Please correct"),
      0,
      "no summary repeating the fields",
    );
  },
);

appTest(
  "dashboard: a new account gets a welcome with next steps that link to where each is done; an older one is welcomed back",
  async (app) => {
    const email = uniqueEmail();
    const me = new Client(app);
    await me.register(email);
    const first = await getPage(me, "/dashboard");
    strictEqual(first.status, 200);
    match(first.text, /Welcome to Islet/);
    match(first.text, /Next steps/);
    match(
      first.text,
      /<a [^>]*href="\/settings"[^>]*>Review your account<\/a>/,
    );
    match(
      first.text,
      /<a [^>]*href="\/settings\/sessions"[^>]*>\s*See where you are signed in\s*<\/a>/,
    );
    match(first.text, /1 device is\s+signed in/);
    // Every link on the page leads somewhere that answers.
    for (const [, href] of first.text.matchAll(/href="(\/settings[^"]*)"/g)) {
      strictEqual((await getPage(me, href)).status, 200, href);
    }

    const db = await app.openDb();
    try {
      const { changes } = await db.run(
        "UPDATE users SET created_at = ? WHERE email = ?",
        [Date.now() - 3 * 86_400_000, email],
      );
      strictEqual(changes, 1);
    } finally {
      await db.close();
    }
    const later = await getPage(me, "/dashboard");
    match(later.text, /Welcome back/);
    ok(!later.text.includes("Welcome to Islet"));
  },
);
