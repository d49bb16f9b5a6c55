import { deepStrictEqual, strictEqual } from "node:assert/strict";
import { App } from "../app.ts";
import { csrf, type CsrfOptions } from "./csrf.ts";

function app(options?: CsrfOptions) {
  const handler = new App()
    .use(csrf(options))
    .all("/:path*", (ctx) => ctx.text(`${ctx.req.method} ok`))
    .handler();
  return (path: string, method: string, headers: Record<string, string>) =>
    handler(new Request(`http://localhost${path}`, { method, headers }));
}

Deno.test("csrf: a cross-origin POST is refused with 403", async () => {
  const send = app();
  const res = await send("/form", "POST", { origin: "https://evil.example" });
  strictEqual(res.status, 403);
  strictEqual(res.headers.get("content-type"), "text/plain; charset=utf-8");
  await res.body?.cancel();
});

Deno.test("csrf: JSON callers get { success: false, error } with the 403", async () => {
  const send = app();
  for (
    const headers of <Record<string, string>[]> [
      { origin: "https://evil.example", accept: "application/json" },
      { origin: "https://evil.example", "content-type": "application/json" },
    ]
  ) {
    const res = await send("/api/x", "POST", headers);
    strictEqual(res.status, 403);
    const body = await res.json();
    deepStrictEqual(Object.keys(body).sort(), ["error", "success"]);
    strictEqual(body.success, false);
    strictEqual(typeof body.error, "string");
  }
});

Deno.test("csrf: a same-origin POST passes", async () => {
  const send = app();
  const res = await send("/form", "POST", { origin: "http://localhost" });
  strictEqual(res.status, 200);
  strictEqual(await res.text(), "POST ok");
});

Deno.test("csrf: Sec-Fetch-Site same-origin passes without an Origin header", async () => {
  const send = app();
  const res = await send("/form", "PUT", { "sec-fetch-site": "same-origin" });
  strictEqual(res.status, 200);
  await res.body?.cancel();
  const cross = await send("/form", "PUT", { "sec-fetch-site": "cross-site" });
  strictEqual(cross.status, 403);
  await cross.body?.cancel();
});

Deno.test("csrf: a request with neither Origin nor Sec-Fetch-Site is refused", async () => {
  const res = await app()("/form", "DELETE", {});
  strictEqual(res.status, 403);
  await res.body?.cancel();
});

Deno.test("csrf: Origin null is refused, even with Sec-Fetch-Site same-origin", async () => {
  const send = app();
  for (
    const headers of <Record<string, string>[]> [
      { origin: "null" },
      { origin: "null", "sec-fetch-site": "same-origin" },
    ]
  ) {
    const res = await send("/form", "POST", headers);
    strictEqual(res.status, 403);
    await res.body?.cancel();
  }
});

Deno.test("csrf: the allowed origin can be configured as a string, list or function", async () => {
  const cases: [CsrfOptions["origin"], string, number][] = [
    ["https://app.example", "https://app.example", 200],
    ["https://app.example", "http://localhost", 403],
    [["https://a.example", "https://b.example"], "https://b.example", 200],
    [["https://a.example"], "https://c.example", 403],
    [(o) => o.endsWith(".trusted.example"), "https://x.trusted.example", 200],
    [(o) => o.endsWith(".trusted.example"), "https://evil.example", 403],
  ];
  for (const [origin, sent, status] of cases) {
    const res = await app({ origin })("/f", "POST", { origin: sent });
    strictEqual(res.status, status, `${String(origin)} vs ${sent}`);
    await res.body?.cancel();
  }
});

Deno.test("csrf: exempt paths skip the check (exact, or prefix with *)", async () => {
  const send = app({ exempt: ["/api/stripe/webhook", "/hooks/*"] });
  for (const path of ["/api/stripe/webhook", "/hooks/github"]) {
    const res = await send(path, "POST", {});
    strictEqual(res.status, 200, path);
    await res.body?.cancel();
  }
  const res = await send("/api/stripe/webhook/x", "POST", {});
  strictEqual(res.status, 403);
  await res.body?.cancel();
});

Deno.test("csrf: safe methods are never checked", async () => {
  const send = app();
  for (const method of ["GET", "HEAD", "OPTIONS"]) {
    const res = await send("/page", method, { origin: "https://evil.example" });
    strictEqual(res.status, 200, method);
    await res.body?.cancel();
  }
});
