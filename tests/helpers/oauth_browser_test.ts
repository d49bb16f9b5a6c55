/**
 * The stand-ins' pages in Chromium, as the app's end-to-end tests use
 * them: a tiny "app" on 127.0.0.1 links to each provider, the helpers
 * answer the provider's pages, and the browser lands on the app's
 * callback. Proves the in-page helpers and that the pages load nothing
 * from outside this machine; the GitHub page is also axe-clean.
 */
import assert from "node:assert/strict";
import type { AxeResults } from "axe-core";
import {
  CodeChallengeMethod,
  generateCodeVerifier,
  generateState,
  OAuth2Client,
} from "arctic";
import {
  type Browser,
  hasChromium,
  launchBrowser,
  trackErrors,
} from "./browser.ts";
import {
  githubLoginInPage,
  type OAuthStandins,
  oidcLoginInPage,
  startOAuthStandins,
} from "./oauth.ts";

const AXE_SOURCE = await Deno.readTextFile(
  new URL("axe.min.js", import.meta.resolve("axe-core")),
);

/** A stand-in app: `/` links to each provider, callbacks echo their query. */
async function tinyApp(s: OAuthStandins) {
  const ready = Promise.withResolvers<void>();
  let links = "";
  const server = Deno.serve({
    hostname: "127.0.0.1",
    port: 0,
    onListen: () => ready.resolve(),
  }, (req) => {
    const url = new URL(req.url);
    const body = url.pathname === "/"
      ? links
      : `<h1>Back</h1><p id="query">${url.search}</p>`;
    return new Response(
      `<!DOCTYPE html><html lang="en"><title>app</title><main>${body}</main></html>`,
      { headers: { "content-type": "text/html" } },
    );
  });
  await ready.promise;
  const origin = `http://127.0.0.1:${server.addr.port}`;
  s.registerApp(origin);
  const oidc = async (id: "google" | "acme") => {
    const idp = s[id];
    const d = await (await fetch(
      `${idp.issuer}/.well-known/openid-configuration`,
    )).json();
    return new OAuth2Client(
      idp.clientId,
      idp.clientSecret,
      `${origin}/oauth/${id}/callback`,
    ).createAuthorizationURLWithPKCE(
      d.authorization_endpoint,
      generateState(),
      CodeChallengeMethod.S256,
      generateCodeVerifier(),
      ["openid", "email", "profile"],
    );
  };
  const github = new OAuth2Client(
    s.github.clientId,
    s.github.clientSecret,
    `${origin}/oauth/github/callback`,
  ).createAuthorizationURLWithPKCE(
    `${s.github.webUrl}/login/oauth/authorize`,
    generateState(),
    CodeChallengeMethod.S256,
    generateCodeVerifier(),
    ["read:user", "user:email"],
  );
  const link = (name: string, url: URL) =>
    `<p><a href="${
      url.href.replaceAll("&", "&amp;")
    }">Continue with ${name}</a></p>`;
  links = link("Google", await oidc("google")) +
    link("Acme SSO", await oidc("acme")) + link("GitHub", github);
  return { origin, stop: () => server.shutdown() };
}

async function withPage(
  fn: (
    o: {
      page: import("./browser.ts").Page;
      s: OAuthStandins;
      origin: string;
    },
  ) => Promise<void>,
) {
  const s = await startOAuthStandins();
  const app = await tinyApp(s);
  let browser: Browser | undefined;
  try {
    browser = await launchBrowser();
    const context = await browser.newContext();
    const { page, consoleErrors } = trackErrors(await context.newPage());
    const outside: string[] = [];
    page.on("request", (r) => {
      const host = new URL(r.url()).hostname;
      if (host !== "localhost" && host !== "127.0.0.1") outside.push(r.url());
    });
    await page.goto(app.origin);
    await fn({ page, s, origin: app.origin });
    assert.deepEqual(consoleErrors, []);
    assert.deepEqual(outside, []);
  } finally {
    await browser?.close();
    await app.stop();
    await s.stop();
  }
}

Deno.test({
  name:
    "oauth stand-ins in Chromium: the OIDC login and consent pages filled, then straight back with a provider session",
  ignore: !hasChromium(),
  async fn() {
    await withPage(async ({ page, s, origin }) => {
      await page.getByRole("link", { name: "Continue with Google" }).click();
      const landed = await oidcLoginInPage(page, "alice", {
        issuer: s.google.issuer,
      });
      assert.equal(
        landed.origin + landed.pathname,
        `${origin}/oauth/google/callback`,
      );
      assert.ok(landed.searchParams.get("code"));
      assert.equal(landed.searchParams.get("iss"), s.google.issuer);

      // The provider remembers the person and the grant: no page at all.
      await page.goto(origin);
      await page.getByRole("link", { name: "Continue with Google" }).click();
      const again = await oidcLoginInPage(page, "alice", {
        issuer: s.google.issuer,
      });
      assert.ok(again.searchParams.get("code"));
      // Acme is another provider: asked afresh, and can be refused.
      await page.goto(origin);
      await page.getByRole("link", { name: "Continue with Acme SSO" }).click();
      const denied = await oidcLoginInPage(page, "alice", {
        issuer: s.acme.issuer,
        deny: true,
      });
      assert.equal(denied.pathname, "/oauth/acme/callback");
      assert.equal(denied.searchParams.get("error"), "access_denied");
    });
  },
});

Deno.test({
  name:
    "oauth stand-ins in Chromium: the GitHub page, axe-clean, continued and cancelled",
  ignore: !hasChromium(),
  async fn() {
    await withPage(async ({ page, origin }) => {
      await page.getByRole("link", { name: "Continue with GitHub" }).click();
      await page.waitForLoadState("load");
      await page.addScriptTag({ content: AXE_SOURCE });
      const results = await page.evaluate(() =>
        (globalThis as unknown as {
          axe: { run(): Promise<AxeResults> };
        }).axe.run()
      );
      assert.deepEqual(results.violations.map((v) => v.id), []);
      const landed = await githubLoginInPage(page, "alice");
      assert.equal(
        landed.origin + landed.pathname,
        `${origin}/oauth/github/callback`,
      );
      assert.ok(landed.searchParams.get("code"));

      await page.goto(origin);
      await page.getByRole("link", { name: "Continue with GitHub" }).click();
      const denied = await githubLoginInPage(page, "alice", { deny: true });
      assert.equal(denied.searchParams.get("error"), "access_denied");
    });
  },
});
