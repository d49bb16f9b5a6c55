/**
 * The security headers of design.md on every kind of answer the built app
 * gives (page, JSON, 404, 405, 403 CSRF, 429, static file, redirect, 304,
 * 204), HSTS only when APP_URL is https, and no answer leaking a stack
 * trace, a source path or a secret.
 *
 * @module
 */
import { match, ok, strictEqual } from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import {
  type AuthApp,
  Client,
  nextIp,
  startApp,
  uniqueEmail,
} from "../helpers/auth.ts";
import { sessionCookieName } from "../../lib/auth/cookie.ts";
import { generateSessionToken } from "../../lib/auth/session_token.ts";
import { readAppMap } from "./fuzz.ts";
import { findLeak } from "./fuzz_run.ts";

/** The CSP directives design.md asks for, the nonce aside. */
const CSP = [
  "default-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "media-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'self' https://checkout.stripe.com https://billing.stripe.com",
];

interface Sample {
  name: string;
  status: number;
  res: Response;
  text: string;
}

function assertSecurityHeaders(s: Sample, hsts: boolean): void {
  const h = s.res.headers;
  const what = `${s.name} (${s.status})`;
  strictEqual(s.res.status, s.status, `${what}: ${s.text.slice(0, 200)}`);
  strictEqual(h.get("x-content-type-options"), "nosniff", what);
  strictEqual(
    h.get("referrer-policy"),
    "strict-origin-when-cross-origin",
    what,
  );
  strictEqual(h.get("x-frame-options"), "DENY", what);
  match(h.get("permissions-policy") ?? "", /camera=\(\)/, what);
  match(h.get("permissions-policy") ?? "", /geolocation=\(\)/, what);
  strictEqual(h.get("cross-origin-opener-policy"), "same-origin", what);
  if (hsts) {
    match(
      h.get("strict-transport-security") ?? "",
      /max-age=\d{8,}/,
      `${what}: HSTS with APP_URL https`,
    );
  } else {
    strictEqual(h.get("strict-transport-security"), null, `${what}: no HSTS`);
  }
  // Every answer, not only pages: a static SVG or HTML file opened
  // directly is a document too, and a 304 refreshes the cached headers.
  const csp = h.get("content-security-policy") ?? "";
  for (const d of CSP) ok(csp.includes(d), `${what}: CSP has "${d}"`);
  ok(
    !csp.includes("'unsafe-inline'; ") &&
      !/script-src[^;]*unsafe-inline/.test(csp),
    `${what}: no inline scripts`,
  );
  if ((h.get("content-type") ?? "").includes("text/html")) {
    match(csp, /script-src 'self' 'nonce-[A-Za-z0-9+/=]+'/, what);
  } else {
    match(csp, /script-src 'self'( 'nonce-[A-Za-z0-9+/=]+')?(;|$)/, what);
  }
  const leak = findLeak(s.text) ??
    findLeak([...h].map(([k, v]) => `${k}: ${v}`).join("\n"));
  strictEqual(leak, null, `${what} leaks`);
  strictEqual(h.get("x-powered-by"), null, what);
}

/** One of every kind of answer; `limited` adds the 429 (rate limits on). */
async function samples(app: AuthApp): Promise<Sample[]> {
  const map = readAppMap(app.files);
  const out: Sample[] = [];
  const ip = nextIp();
  const take = async (
    name: string,
    status: number,
    path: string,
    init: RequestInit = {},
  ) => {
    const headers = new Headers(init.headers);
    if (!headers.has("x-forwarded-for")) headers.set("x-forwarded-for", ip);
    const res = await app.fetch(path, {
      ...init,
      headers,
      redirect: "manual",
    });
    out.push({ name, status, res, text: await res.text() });
    return res;
  };
  const alice = new Client(app);
  await alice.register(uniqueEmail("headers"));
  const cookie = alice.cookie!;
  const origin = app.origin;
  const json = { "content-type": "application/json", origin };

  await take("page", 200, "/");
  await take("sign-in page", 200, "/login");
  await take("signed-in page", 200, "/dashboard", { headers: { cookie } });
  await take("JSON", 200, "/api/health");
  await take("JSON, signed in", 200, "/api/auth/me", { headers: { cookie } });
  await take("JSON 401", 401, "/api/auth/me");
  await take("JSON 400", 400, "/api/auth/login", {
    method: "POST",
    headers: json,
    body: "{",
  });
  await take("404 page", 404, "/no/such/page");
  await take("404 under /api/", 404, "/api/no/such");
  await take("404 bad escape", 404, "/%ZZ");
  await take("405", 405, "/api/health", { method: "PUT", headers: { origin } });
  await take("405 page", 405, "/", { method: "DELETE", headers: { origin } });
  await take("204 OPTIONS", 204, "/api/health", { method: "OPTIONS" });
  await take("403 CSRF JSON", 403, "/api/auth/login", {
    method: "POST",
    headers: { ...json, origin: "https://evil.example" },
    body: "{}",
  });
  await take("403 CSRF form", 403, "/login", {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: "email=a",
  });
  await take("redirect to sign-in", 303, "/dashboard");
  await take("redirect when signed in", 303, "/login", { headers: { cookie } });
  // Every static file of the build (the favicon SVG among them), and its 304.
  ok(map.statics.includes("/favicon.svg"), "an SVG is sampled");
  for (const path of map.statics) {
    const res = await take(`static ${path}`, 200, path);
    const etag = res.headers.get("etag");
    if (etag) {
      await take(`static ${path} 304`, 304, path, {
        headers: { "if-none-match": etag },
      });
    }
  }
  await take("HEAD page", 200, "/", { method: "HEAD" });
  // The auth policy allows 11 requests in 5 minutes from one address.
  let last = 0;
  for (let i = 0; i < 12 && last !== 429; i++) {
    const res = await app.fetch("/api/auth/login", {
      method: "POST",
      headers: { ...json, "x-forwarded-for": ip },
      body: "{}",
    });
    last = res.status;
    if (last === 429) {
      out.push({ name: "429", status: 429, res, text: await res.text() });
    } else await res.body?.cancel();
  }
  strictEqual(last, 429, "the auth limit was reached");
  await take("429 page", 429, "/login", {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", origin },
    body: "email=a",
  });
  // A sign-out redirect (made by the handler, with a Set-Cookie).
  await take("sign-out redirect", 303, "/api/auth/logout", {
    method: "POST",
    headers: {
      cookie,
      origin,
      accept: "text/html",
      "content-type": "application/x-www-form-urlencoded",
    },
  });
  return out;
}

Deno.test("headers: every kind of answer carries the security headers, no HSTS over http", async () => {
  const app = await startApp();
  try {
    const all = await samples(app);
    ok(all.length >= 20, `${all.length} samples`);
    for (const s of all) assertSecurityHeaders(s, false);
    const types = new Set(all.map((s) => s.status));
    for (const status of [200, 204, 303, 304, 400, 401, 403, 404, 405, 429]) {
      ok(types.has(status), `a ${status} was sampled`);
    }
  } finally {
    await app.stop();
  }
});

Deno.test("headers: with APP_URL https every answer carries HSTS", async () => {
  const app = await startApp({ env: { APP_URL: "https://islet.example" } });
  try {
    const all = await samples(app);
    for (const s of all) assertSecurityHeaders(s, true);
  } finally {
    await app.stop();
  }
});

Deno.test("headers: error pages (503, a locked database) carry the headers and the CSP too", async () => {
  const app = await startApp();
  // Another process holding the write lock makes the app's next write wait
  // out its busy timeout and fail inside a route handler: the database is
  // unavailable, which is a 503 with Retry-After, not a 500.
  const lock = new DatabaseSync(app.dbPath);
  try {
    lock.exec("PRAGMA busy_timeout = 5000");
    lock.exec("BEGIN IMMEDIATE");
    const form = {
      "content-type": "application/x-www-form-urlencoded",
      accept: "text/html",
      origin: app.origin,
      "x-forwarded-for": nextIp(),
    };
    const json = {
      "content-type": "application/json",
      origin: app.origin,
      "x-forwarded-for": nextIp(),
    };
    const body = {
      email: uniqueEmail("locked"),
      password: "Tulip orbit 7391 quartz!",
    };
    const [page, api] = await Promise.all([
      app.fetch("/signup", {
        method: "POST",
        headers: form,
        body: new URLSearchParams(body).toString(),
      }),
      app.fetch("/api/auth/register", {
        method: "POST",
        headers: json,
        body: JSON.stringify({ ...body, email: uniqueEmail("locked") }),
      }),
    ]);
    const samples: Sample[] = [
      { name: "503 page", status: 503, res: page, text: await page.text() },
      { name: "503 JSON", status: 503, res: api, text: await api.text() },
    ];
    for (const s of samples) {
      assertSecurityHeaders(s, false);
      strictEqual(s.res.headers.get("retry-after"), "5", s.name);
    }
    match(page.headers.get("content-type") ?? "", /^text\/html/);
    match(api.headers.get("content-type") ?? "", /application\/json/);
  } finally {
    lock.exec("ROLLBACK");
    lock.close();
    await app.stop();
  }
});

Deno.test("headers: a 500 from a middleware before the route (the session lookup) carries the headers and the CSP", async () => {
  const app = await startApp();
  // With the sessions table gone, looking up any session cookie throws in
  // routes/_middleware.ts, before a route handler runs.
  const db = new DatabaseSync(app.dbPath);
  try {
    db.exec("PRAGMA busy_timeout = 5000");
    db.exec("ALTER TABLE sessions RENAME TO sessions_gone");
    const cookie = `${
      sessionCookieName(false)
    }=${generateSessionToken().token}`;
    const samples: Sample[] = [];
    for (
      const [name, path] of [["500 page", "/dashboard"], [
        "500 JSON",
        "/api/auth/me",
      ]]
    ) {
      const res = await app.fetch(path, {
        headers: { cookie, "x-forwarded-for": nextIp() },
      });
      samples.push({ name, status: 500, res, text: await res.text() });
    }
    for (const s of samples) assertSecurityHeaders(s, false);
    match(samples[0].res.headers.get("content-type") ?? "", /^text\/html/);
    match(samples[0].text, /Something went wrong/);
    match(
      samples[1].res.headers.get("content-type") ?? "",
      /application\/json/,
    );
    strictEqual(JSON.parse(samples[1].text).success, false);
  } finally {
    db.close();
    await app.stop();
  }
});
