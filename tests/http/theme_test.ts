/**
 * POST /theme, the theme switch without JavaScript, over real HTTP: it sets
 * the cookie and goes back to a same-site path only; anything else it is
 * sent is a clear 4xx page, never a 500.
 */
import { match, ok, strictEqual } from "node:assert/strict";
import { type AuthApp, startApp } from "../helpers/auth.ts";

function post(
  app: AuthApp,
  body: string,
  headers: Record<string, string> = {},
) {
  return app.fetch("/theme", {
    method: "POST",
    redirect: "manual",
    headers: {
      origin: app.origin,
      "content-type": "application/x-www-form-urlencoded",
      ...headers,
    },
    body,
  });
}

Deno.test("POST /theme sets the theme cookie and returns to the page it came from", async () => {
  const app = await startApp();
  try {
    for (const theme of ["dark", "light", "system"]) {
      const res = await post(app, `theme=${theme}&next=%2Fstatus%3Fa%3D1`);
      await res.body?.cancel();
      strictEqual(res.status, 303);
      strictEqual(res.headers.get("location"), "/status?a=1");
      strictEqual(
        res.headers.get("set-cookie"),
        `theme=${theme}; Path=/; Max-Age=31536000; SameSite=Lax`,
      );
    }
    // No `next`, or one that would leave the site: the home page.
    for (
      const next of [
        "",
        "https://evil.example/",
        "//evil.example",
        "/\\evil.example",
        "javascript:alert(1)",
      ]
    ) {
      const res = await post(
        app,
        new URLSearchParams({ theme: "dark", next }).toString(),
      );
      await res.body?.cancel();
      strictEqual(res.status, 303, next);
      strictEqual(res.headers.get("location"), "/", next);
    }
    // The page then renders in the chosen theme.
    const page = await app.fetch("/status", {
      headers: { cookie: "theme=dark" },
    });
    match(await page.text(), /<html lang="en" data-theme="dark"/);
  } finally {
    await app.stop();
  }
});

Deno.test("POST /theme refuses an unknown theme, a bad body and another origin, without setting a cookie", async () => {
  const app = await startApp();
  try {
    const cases: [string, Record<string, string>, number][] = [
      ["theme=purple&next=%2F", {}, 400],
      ["next=%2F", {}, 400],
      ["theme=dark%3B%20Path%3D%2Fx", {}, 400],
      ["theme=dark", { "content-type": "text/plain" }, 415],
      ["x=" + "a".repeat(20_000), {}, 413],
      ["theme=dark", { origin: "https://evil.example" }, 403],
    ];
    for (const [body, headers, status] of cases) {
      const res = await post(app, body, headers);
      const html = await res.text();
      strictEqual(res.status, status, body.slice(0, 40));
      strictEqual(res.headers.get("set-cookie"), null);
      if (status !== 403) {
        match(res.headers.get("content-type") ?? "", /text\/html/);
        match(html, /The theme was not changed/);
      }
    }
    const get = await app.fetch("/theme", { redirect: "manual" });
    await get.body?.cancel();
    strictEqual(get.status, 303);
    ok(get.headers.get("location")?.endsWith("/"));
  } finally {
    await app.stop();
  }
});
