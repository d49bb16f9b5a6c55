import { deepStrictEqual, strictEqual } from "node:assert/strict";
import { App } from "fresh";
import { ORIGIN_REFUSED, originCheck } from "./origin_check.ts";

function app(
  allowed = (origin: string, ctx: { url: URL }) => origin === ctx.url.origin,
) {
  const handler = new App()
    .use(originCheck(allowed))
    .all("/:path*", (ctx) => ctx.text(`${ctx.req.method} ok`))
    .handler();
  return (path: string, method: string, headers: Record<string, string>) =>
    handler(new Request(`http://localhost${path}`, { method, headers }));
}

async function status(res: Response): Promise<number> {
  await res.body?.cancel();
  return res.status;
}

Deno.test("originCheck: a cross-origin POST is refused with a plain-text 403", async () => {
  const res = await app()("/form", "POST", { origin: "https://evil.example" });
  strictEqual(res.status, 403);
  strictEqual(res.headers.get("content-type"), "text/plain; charset=utf-8");
  strictEqual(await res.text(), ORIGIN_REFUSED);
});

Deno.test("originCheck: JSON callers get { success: false, error } with the 403", async () => {
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

Deno.test("originCheck: same origin, or Sec-Fetch-Site same-origin without Origin, passes", async () => {
  const send = app();
  strictEqual(
    await status(await send("/f", "POST", { origin: "http://localhost" })),
    200,
  );
  strictEqual(
    await status(await send("/f", "PUT", { "sec-fetch-site": "same-origin" })),
    200,
  );
  strictEqual(
    await status(await send("/f", "PUT", { "sec-fetch-site": "cross-site" })),
    403,
  );
});

Deno.test("originCheck: a request with neither Origin nor Sec-Fetch-Site is refused (stricter than csrf())", async () => {
  strictEqual(await status(await app()("/form", "DELETE", {})), 403);
});

Deno.test("originCheck: Origin null passes only with Sec-Fetch-Site same-origin (a form on a no-referrer page)", async () => {
  const send = app();
  for (
    const headers of <Record<string, string>[]> [
      { origin: "null" },
      { origin: "null", "sec-fetch-site": "cross-site" },
      { origin: "null", "sec-fetch-site": "same-site" },
      { origin: "null", "sec-fetch-site": "none" },
    ]
  ) {
    strictEqual(
      await status(await send("/form", "POST", headers)),
      403,
      JSON.stringify(headers),
    );
  }
  strictEqual(
    await status(
      await send("/form", "POST", {
        origin: "null",
        "sec-fetch-site": "same-origin",
      }),
    ),
    200,
  );
});

Deno.test("originCheck: a sent Origin decides, whatever Sec-Fetch-Site says", async () => {
  const res = await app()("/f", "POST", {
    origin: "https://evil.example",
    "sec-fetch-site": "same-origin",
  });
  strictEqual(await status(res), 403);
});

Deno.test("originCheck: the policy function decides which origins pass", async () => {
  const send = app((o) => o.endsWith(".trusted.example"));
  strictEqual(
    await status(
      await send("/f", "POST", { origin: "https://x.trusted.example" }),
    ),
    200,
  );
  strictEqual(
    await status(await send("/f", "POST", { origin: "http://localhost" })),
    403,
  );
});

Deno.test("originCheck: safe methods are never checked", async () => {
  const send = app();
  for (const method of ["GET", "HEAD", "OPTIONS"]) {
    const res = await send("/page", method, { origin: "https://evil.example" });
    strictEqual(await status(res), 200, method);
  }
});
