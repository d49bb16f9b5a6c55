/**
 * The app as a client sees it: CSP nonces, health JSON, not-found page,
 * CSRF refusal (built in process), and static file caching (the served
 * build: its client files and precompressed static files).
 */
import { deepStrictEqual, match, ok, strictEqual } from "node:assert/strict";
import { buildApp, type InProcessApp } from "../helpers/app.ts";
import { startServer, type TestServer } from "../helpers/server.ts";

async function withApp(
  fn: (app: InProcessApp) => Promise<void>,
): Promise<void> {
  const app = await buildApp();
  try {
    await fn(app);
  } finally {
    await app.stop();
  }
}

async function withServer(
  fn: (server: TestServer) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "islet-http-" });
  const server = await startServer({
    env: { DATABASE_PATH: `${dir}/test.db` },
  });
  try {
    await fn(server);
  } finally {
    await server.stop();
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("built app: every script on / carries the nonce of the CSP header", async () => {
  await withApp(async (app) => {
    const res = await app.fetch("/");
    strictEqual(res.status, 200);
    const csp = res.headers.get("content-security-policy") ?? "";
    const nonce = csp.match(/'nonce-([A-Za-z0-9+/=]+)'/)?.[1];
    ok(nonce, `no nonce in ${csp}`);
    match(csp, /default-src 'self'/);
    match(csp, /frame-ancestors 'none'/);
    ok(!csp.includes("unsafe-inline"), "no unsafe-inline next to a nonce");
    const html = await res.text();
    const scripts = [...html.matchAll(/<script\b[^>]*>/g)].map((m) => m[0]);
    ok(scripts.length > 0, "the landing page has an island, so a boot script");
    for (const tag of scripts) {
      strictEqual(tag.match(/nonce="([^"]+)"/)?.[1], nonce, tag);
    }
    ok(
      !/\sstyle="/.test(html),
      "no inline style attributes (style-src 'self')",
    );
    match(res.headers.get("link") ?? "", /rel="modulepreload"/);
    strictEqual(res.headers.get("x-frame-options"), "DENY");
    strictEqual(res.headers.get("x-content-type-options"), "nosniff");
    // A second request gets a different nonce.
    const again = await app.fetch("/");
    await again.body?.cancel();
    ok(!again.headers.get("content-security-policy")!.includes(nonce));
  });
});

Deno.test("built app: /api/health answers JSON with status and checks", async () => {
  await withApp(async (app) => {
    const res = await app.fetch("/api/health");
    strictEqual(res.status, 200);
    match(res.headers.get("content-type") ?? "", /application\/json/);
    const body = await res.json();
    strictEqual(body.status, "ok");
    deepStrictEqual(Object.keys(body.checks).sort(), ["cache", "database"]);
  });
});

Deno.test("built app: an unknown path is the 404 page with status 404", async () => {
  await withApp(async (app) => {
    const res = await app.fetch("/no/such/page");
    strictEqual(res.status, 404);
    match(res.headers.get("content-type") ?? "", /text\/html/);
    const html = await res.text();
    match(html, /This page does not exist/);
    match(html, /<title>Page not found · Islet<\/title>/);
  });
});

Deno.test("built app: a cross-origin POST is refused with 403 JSON", async () => {
  await withApp(async (app) => {
    const res = await app.fetch("/api/health", {
      method: "POST",
      headers: { origin: "https://evil.example", accept: "application/json" },
    });
    strictEqual(res.status, 403);
    const body = await res.json();
    strictEqual(body.success, false);
    strictEqual(typeof body.error, "string");
    // The Stripe webhook is exempt: its signature is the check (without
    // Stripe keys, as here, it answers 404: billing is not configured).
    const hook = await app.fetch("/api/stripe/webhook", {
      method: "POST",
      headers: { origin: "https://evil.example", accept: "application/json" },
    });
    await hook.body?.cancel();
    strictEqual(hook.status, 404);
  });
});

Deno.test("built app: malformed paths never give a 500", async () => {
  await withApp(async (app) => {
    for (
      const path of [
        "/%",
        "/%ZZ",
        "/a%00b",
        "/..%2f..%2fdeno.json",
        "//",
        "/api/health/%E0%A4%A",
      ]
    ) {
      const res = await app.fetch(path);
      await res.body?.cancel();
      ok(res.status < 500, `${path} gave ${res.status}`);
    }
  });
});

Deno.test("built app: client files are immutable, CSS revalidates with an ETag", async () => {
  await withServer(async ({ url }) => {
    const html = await (await fetch(`${url}/`)).text();
    const js = html.match(/from"(\/_fresh\/js\/[^"]+)"/)?.[1];
    ok(js, "boot module URL in the page");
    const jsRes = await fetch(url + js);
    await jsRes.body?.cancel();
    strictEqual(jsRes.status, 200);
    match(jsRes.headers.get("cache-control") ?? "", /immutable/);

    const css = await fetch(`${url}/styles.css`);
    const etag = css.headers.get("etag");
    await css.body?.cancel();
    ok(etag?.startsWith('W/"'));
    const again = await fetch(`${url}/styles.css`, {
      headers: { "if-none-match": etag! },
    });
    strictEqual(again.status, 304);
    await again.body?.cancel();
  });
});
