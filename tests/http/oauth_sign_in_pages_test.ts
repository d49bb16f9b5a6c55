/**
 * The provider buttons on the sign-in and sign-up pages: with providers
 * configured, one "Continue with <name>" link each, in the configured
 * order, carrying `next`, then the "or" divider; with none configured,
 * no provider markup at all, and the page is otherwise the same byte for
 * byte (compared with the configured page minus its provider block, the
 * per-request nonce aside). The failure page's links. Both engines.
 */
import { deepStrictEqual, ok, strictEqual } from "node:assert/strict";
import { ENGINES } from "../../lib/db/testing.ts";
import { appTest, type AuthApp, withApp } from "../helpers/auth.ts";
import { startOAuthStandins } from "../helpers/oauth.ts";
import { FlowClient } from "./oauth_sign_in_kit.ts";
import { oauthTest } from "./oauth_sign_in_setup.ts";

const BLOCK =
  /<div class="mb-6" data-testid="oauth-providers">[\s\S]*?<span>or<\/span>[\s\S]*?<\/div><\/div>/;

/** The page as compared: the per-request nonce (CSP) blanked. */
function comparable(html: string): string {
  return html.replaceAll(/nonce="[^"]*"/g, 'nonce=""');
}

async function pageText(app: AuthApp, path: string): Promise<string> {
  const res = await app.fetch(path, {
    headers: { accept: "text/html", "x-forwarded-for": "10.9.9.9" },
  });
  strictEqual(res.status, 200, path);
  return await res.text();
}

appTest(
  "no provider configured: the sign-in and sign-up pages carry no provider markup",
  async (app) => {
    for (const path of ["/login", "/signup", "/login?next=%2Fsettings"]) {
      const html = await pageText(app, path);
      ok(!html.includes("oauth-providers"), path);
      ok(!html.includes("/oauth/"), path);
      ok(!html.includes("Continue with"), path);
      ok(!/>or</.test(html), path);
    }
  },
);

for (const engine of ENGINES) {
  Deno.test(`with providers, the pages differ from the unconfigured ones by the provider block only [${engine}]`, async () => {
    const plain: Record<string, string> = {};
    await withApp(async (app) => {
      for (const path of ["/login", "/signup", "/login?next=%2Fsettings"]) {
        plain[path] = await pageText(app, path);
      }
    }, { engine });
    const standins = await startOAuthStandins();
    try {
      await withApp(async (app) => {
        for (const path of Object.keys(plain)) {
          const html = await pageText(app, path);
          ok(BLOCK.test(html), `${path}: the provider block`);
          strictEqual(
            comparable(html.replace(BLOCK, "")),
            comparable(plain[path]),
            `${path}: nothing else changes`,
          );
        }
      }, { engine, env: standins.env() });
    } finally {
      await standins.stop();
    }
  });
}

oauthTest(
  "the buttons: one link per provider in the configured order, each carrying next, then the divider",
  async ({ app }) => {
    const html = await pageText(app, "/login?next=%2Fsettings%2Fsessions");
    const links = [
      ...html.matchAll(/<a href="(\/oauth\/[^"]*)"[^>]*>([^<]*)<\/a>/g),
    ]
      .map((m) => [m[1].replaceAll("&amp;", "&"), m[2].trim()]);
    deepStrictEqual(links, [
      ["/oauth/github?next=%2Fsettings%2Fsessions", "Continue with GitHub"],
      ["/oauth/google?next=%2Fsettings%2Fsessions", "Continue with Google"],
      ["/oauth/acme?next=%2Fsettings%2Fsessions", "Continue with Acme SSO"],
    ]);
    const signup = await pageText(app, "/signup?next=//evil.example");
    ok(signup.includes('href="/oauth/github?next=%2Fdashboard"'));
    // The failure page: the heading, what to do, both ways on.
    const c = new FlowClient(app);
    const a = await c.visit("/oauth/github/callback?code=x&state=y");
    strictEqual(a.status, 400);
    ok(a.text.includes("<h1"));
    ok(a.text.includes('href="/oauth/github?next=%2Fdashboard"'));
    ok(a.text.includes('href="/login?next=%2Fdashboard"'));
  },
);
