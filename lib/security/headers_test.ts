import { strictEqual } from "node:assert/strict";
import { App } from "fresh";
import { securityHeaders } from "./headers.ts";

Deno.test("securityHeaders sets the fixed headers, HSTS only when asked", async () => {
  for (const hsts of [true, false]) {
    const handler = new App()
      .use(securityHeaders({ hsts }))
      .get("/", () => new Response("ok"))
      .handler();
    const res = await handler(new Request("http://localhost/"));
    strictEqual(res.headers.get("x-content-type-options"), "nosniff");
    strictEqual(res.headers.get("x-frame-options"), "DENY");
    strictEqual(
      res.headers.get("referrer-policy"),
      "strict-origin-when-cross-origin",
    );
    strictEqual(res.headers.get("cross-origin-opener-policy"), "same-origin");
    strictEqual(
      res.headers.get("permissions-policy")?.includes("camera=()"),
      true,
    );
    strictEqual(res.headers.has("strict-transport-security"), hsts);
  }
});

Deno.test("securityHeaders also covers error and not-found responses", async () => {
  const handler = new App()
    .use(securityHeaders({ hsts: false }))
    .get("/boom", () => {
      throw new Error("boom");
    })
    .handler();
  const orig = console.error;
  console.error = () => {};
  try {
    const boom = await handler(new Request("http://localhost/boom"));
    strictEqual(boom.status, 500);
    strictEqual(boom.headers.get("x-frame-options"), "DENY");
  } finally {
    console.error = orig;
  }
  const missing = await handler(new Request("http://localhost/missing"));
  strictEqual(missing.status, 404);
  strictEqual(missing.headers.get("x-content-type-options"), "nosniff");
});

Deno.test("securityHeaders copes with immutable response headers", async () => {
  const handler = new App()
    .use(securityHeaders({ hsts: false }))
    .get("/r", () => Response.redirect("http://localhost/elsewhere", 302))
    .handler();
  const res = await handler(new Request("http://localhost/r"));
  strictEqual(res.status, 302);
  strictEqual(res.headers.get("x-frame-options"), "DENY");
});

Deno.test("securityHeaders keeps a route's no-referrer and overrides any weaker policy", async () => {
  const handler = new App()
    .use(securityHeaders({ hsts: false }))
    .get(
      "/token",
      () =>
        new Response("ok", { headers: { "referrer-policy": "no-referrer" } }),
    )
    .get(
      "/weak",
      () =>
        new Response("ok", { headers: { "referrer-policy": "unsafe-url" } }),
    )
    .handler();
  const token = await handler(new Request("http://localhost/token"));
  strictEqual(token.headers.get("referrer-policy"), "no-referrer");
  strictEqual(token.headers.get("x-frame-options"), "DENY");
  const weak = await handler(new Request("http://localhost/weak"));
  strictEqual(
    weak.headers.get("referrer-policy"),
    "strict-origin-when-cross-origin",
  );
});
