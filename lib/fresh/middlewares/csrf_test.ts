import { strictEqual } from "node:assert/strict";
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

async function status(res: Response): Promise<number> {
  await res.body?.cancel();
  return res.status;
}

Deno.test("csrf: a cross-origin POST is refused with 403", async () => {
  const send = app();
  const res = await send("/form", "POST", { origin: "https://evil.example" });
  strictEqual(res.status, 403);
  strictEqual(res.headers.get("content-type"), "text/plain; charset=utf-8");
  await res.body?.cancel();
});

Deno.test("csrf: the refusal is a thrown HttpError(403), so error pages and app error handlers see it", async () => {
  const handler = new App()
    .onError("*", (ctx) => {
      const err = ctx.error as { status?: number; name?: string };
      return ctx.text(`${err.name} ${err.status}`, { status: 403 });
    })
    .use(csrf())
    .post("/", (ctx) => ctx.text("ok"))
    .handler();
  const res = await handler(
    new Request("http://localhost/", {
      method: "POST",
      headers: { origin: "https://evil.example" },
    }),
  );
  strictEqual(res.status, 403);
  strictEqual(await res.text(), "HttpError 403");
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

Deno.test("csrf: Sec-Fetch-Site as upstream reads it", async () => {
  const send = app({ origin: "https://trusted.example" });
  const cases: [Record<string, string>, number][] = [
    [{ "sec-fetch-site": "same-origin" }, 200],
    [{ "sec-fetch-site": "none" }, 200],
    [{ "sec-fetch-site": "same-site" }, 403],
    [{ "sec-fetch-site": "cross-site" }, 403],
    // A trusted origin passes even from another site.
    [
      { "sec-fetch-site": "cross-site", origin: "https://trusted.example" },
      200,
    ],
    [{ "sec-fetch-site": "cross-site", origin: "https://evil.example" }, 403],
    // same-origin is believed whatever Origin says (a browser never sends both wrong).
    [{ "sec-fetch-site": "same-origin", origin: "null" }, 200],
  ];
  for (const [headers, expected] of cases) {
    strictEqual(
      await status(await send("/f", "POST", headers)),
      expected,
      JSON.stringify(headers),
    );
  }
});

Deno.test("csrf: a request with neither Origin nor Sec-Fetch-Site passes (not a browser page)", async () => {
  strictEqual(await status(await app()("/form", "DELETE", {})), 200);
});

Deno.test("csrf: Origin null is refused", async () => {
  strictEqual(
    await status(await app()("/form", "POST", { origin: "null" })),
    403,
  );
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

Deno.test("csrf: safe methods are never checked", async () => {
  const send = app();
  for (const method of ["GET", "HEAD", "OPTIONS"]) {
    const res = await send("/page", method, { origin: "https://evil.example" });
    strictEqual(res.status, 200, method);
    await res.body?.cancel();
  }
});
