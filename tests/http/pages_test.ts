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
  "forms without JavaScript: one message per problem; a taken email offers 'Sign in instead' as a link",
  async (app) => {
    const email = uniqueEmail();
    await new Client(app).register(email);
    const taken = await new Client(app).post("/signup", {
      form: { email, password: "Tulip orbit 7391 quartz!" },
      headers: HTML,
    });
    strictEqual(taken.status, 409);
    strictEqual(count(taken.text, "already exists"), 1, "said once");
    match(
      taken.text,
      /An account with this email already exists\. <a [^>]*href="\/login"[^>]*>Sign in instead<\/a>/,
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
