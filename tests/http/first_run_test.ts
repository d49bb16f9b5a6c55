/**
 * A first run without APP_URL: forms work at every local address of the
 * server's port and are refused from anywhere else, with a page in the
 * app's layout for people and the JSON shape for API callers. With APP_URL
 * set, only its origin is accepted. Also: sign-up without JavaScript,
 * then sign-in.
 *
 * @module
 */
import { match, ok, strictEqual } from "node:assert/strict";
import {
  type AuthApp,
  Client,
  PASSWORD,
  startServedApp,
  uniqueEmail,
} from "../helpers/auth.ts";

/** A plain HTML form post to /signup from a page at `origin`. */
function formSignUp(
  app: AuthApp,
  origin: string,
  email = uniqueEmail("first"),
) {
  return new Client(app).post("/signup", {
    form: { email, password: PASSWORD },
    headers: { origin, accept: "text/html" },
  });
}

Deno.test("first run: sign-up works from every local address of the port", async () => {
  const app = await startServedApp({ env: { HOSTNAME: "127.0.0.1" } });
  try {
    const port = app.server!.port;
    for (
      const origin of [
        `http://127.0.0.1:${port}`,
        `http://localhost:${port}`,
        `http://[::1]:${port}`,
      ]
    ) {
      const a = await formSignUp(app, origin);
      strictEqual(a.status, 200, `${origin}: ${a.text.slice(0, 300)}`);
      match(a.text, /Check your inbox at first-[0-9a-f]{8}@example\.com/);
      strictEqual(a.setCookie, null, `${origin}: sign-up never signs in`);
    }
  } finally {
    await app.stop();
  }
});

Deno.test("first run: other origins get a refusal page in the layout, API callers JSON", async () => {
  const app = await startServedApp({ env: { HOSTNAME: "127.0.0.1" } });
  try {
    const port = app.server!.port;
    for (
      const origin of [
        `http://127.0.0.1:${port + 1}`,
        `https://127.0.0.1:${port}`,
        `http://localhost.evil.example:${port}`,
        "https://evil.example",
        "null",
      ]
    ) {
      const a = await formSignUp(app, origin);
      strictEqual(a.status, 403, origin);
      match(a.headers.get("content-type") ?? "", /^text\/html/, origin);
      strictEqual(a.setCookie, null, origin);
      // The app's layout: the header and the skip link, the app's stylesheet.
      match(a.text, /<main id="main"/);
      match(a.text, /Skip to content/);
      match(a.text, /This form was not accepted/);
      match(a.text, /Nothing was changed/);
      match(a.text, /<a[^>]+href="\/signup"[^>]*>Go back to the form/);
      match(a.headers.get("content-security-policy") ?? "", /base-uri 'none'/);
      strictEqual(a.headers.get("x-frame-options"), "DENY");
    }
    // The link back never leaves the site, whatever the posted path.
    const odd = await fetch(`${app.url}//evil.example`, {
      method: "POST",
      headers: {
        origin: "https://evil.example",
        "content-type": "application/x-www-form-urlencoded",
      },
      body: "a=1",
    });
    const oddText = await odd.text();
    strictEqual(odd.status, 403);
    ok(!oddText.includes('href="//evil.example"'), "no off-site link back");

    const api = await new Client(app).post("/api/auth/register", {
      json: { email: uniqueEmail("api"), password: PASSWORD },
      headers: { origin: "https://evil.example", accept: "*/*" },
    });
    strictEqual(api.status, 403);
    match(api.headers.get("content-type") ?? "", /application\/json/);
    strictEqual(api.json.success, false);
    match(api.json.error, /origin/i);
  } finally {
    await app.stop();
  }
});

Deno.test("with APP_URL set, only its origin is accepted", async () => {
  const app = await startServedApp({
    env: { HOSTNAME: "127.0.0.1", APP_URL: "http://app.example:8080" },
  });
  try {
    const port = app.server!.port;
    for (
      const origin of [`http://127.0.0.1:${port}`, `http://localhost:${port}`]
    ) {
      strictEqual((await formSignUp(app, origin)).status, 403, origin);
    }
    strictEqual((await formSignUp(app, "http://app.example:8080")).status, 200);
  } finally {
    await app.stop();
  }
});

Deno.test("sign-up without JavaScript: the check-your-inbox page, no session; sign-in then reaches the dashboard", async () => {
  const app = await startServedApp();
  try {
    const email = uniqueEmail("nojs");
    const browser = new Client(app);
    const a = await browser.post("/signup", {
      form: { email, password: PASSWORD },
      headers: { accept: "text/html" },
    });
    strictEqual(a.status, 200, a.text.slice(0, 300));
    match(a.headers.get("content-type") ?? "", /^text\/html/);
    ok(a.text.includes(`Check your inbox at ${email} to confirm it.`));
    strictEqual(a.rawSetCookie, null, "no session cookie");
    strictEqual(a.headers.get("cache-control"), "no-store");
    strictEqual(
      (await browser.get("/dashboard", { headers: { accept: "text/html" } }))
        .status,
      303,
      "not signed in",
    );

    const signIn = await browser.post("/login", {
      form: { email, password: PASSWORD },
      headers: { accept: "text/html" },
    });
    strictEqual(signIn.status, 303, signIn.text.slice(0, 300));
    strictEqual(signIn.headers.get("location"), "/dashboard");
    match(signIn.rawSetCookie!, /HttpOnly/i);
    match(signIn.rawSetCookie!, /SameSite=Lax/i);
    const dash = await browser.get("/dashboard", {
      headers: { accept: "text/html" },
    });
    strictEqual(dash.status, 200, dash.text.slice(0, 300));
    match(dash.headers.get("content-type") ?? "", /^text\/html/);
    ok(dash.text.includes(email), "the dashboard shows the new account");
    ok(
      dash.text.includes('data-testid="verify-banner"'),
      "asked to confirm the address",
    );
    // Without the cookie the same page sends the visitor to sign in.
    const anon = await browser.get("/dashboard", { cookie: null });
    strictEqual(anon.status, 303);
  } finally {
    await app.stop();
  }
});
