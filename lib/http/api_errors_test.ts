import { deepStrictEqual, strictEqual } from "node:assert/strict";
import { App } from "fresh";
import { originCheck } from "../security/origin_check.ts";
import { apiJsonErrors } from "./api_errors.ts";

function app() {
  return new App()
    .use(apiJsonErrors("/api/"))
    .use(originCheck((origin) => origin === "http://localhost"))
    .get("/api/thing", () => Response.json({ success: true }))
    .get("/api/page", () =>
      new Response("<h1>Oops</h1>", {
        status: 404,
        headers: { "content-type": "text/html; charset=utf-8" },
      }))
    .get("/api/boom", () => {
      throw new Error("secret detail");
    })
    .get(
      "/api/limited",
      () =>
        Response.json({ success: false, error: "Slow down" }, {
          status: 429,
          headers: { "retry-after": "7" },
        }),
    )
    .get("/page", () => new Response("Gone", { status: 410 }))
    .handler();
}

async function call(path: string, init?: RequestInit) {
  const res = await app()(new Request(`http://localhost${path}`, init));
  const text = await res.text();
  return { res, text };
}

Deno.test("apiJsonErrors: 405 under /api/ is JSON and keeps Allow", async () => {
  const { res, text } = await call("/api/thing", {
    method: "PUT",
    headers: { origin: "http://localhost" },
  });
  strictEqual(res.status, 405);
  strictEqual(res.headers.get("content-type"), "application/json");
  strictEqual(res.headers.get("allow"), "GET, HEAD, OPTIONS");
  deepStrictEqual(JSON.parse(text), {
    success: false,
    error: "Method Not Allowed",
  });
});

Deno.test("apiJsonErrors: the CSRF refusal of a non-JSON client becomes JSON", async () => {
  const { res, text } = await call("/api/thing", {
    method: "POST",
    headers: { origin: "http://evil.example" },
  });
  strictEqual(res.status, 403);
  const body = JSON.parse(text);
  strictEqual(body.success, false);
  strictEqual(body.error, "Cross-site request refused (origin check failed)");
});

Deno.test("apiJsonErrors: HTML and 5xx bodies are replaced by a reason phrase", async () => {
  const page = await call("/api/page");
  strictEqual(page.res.status, 404);
  deepStrictEqual(JSON.parse(page.text), {
    success: false,
    error: "Not found",
  });
  const boom = await call("/api/boom");
  strictEqual(boom.res.status, 500);
  deepStrictEqual(JSON.parse(boom.text), {
    success: false,
    error: "Internal server error",
  });
  const unknown = await call("/api/nope");
  strictEqual(unknown.res.status, 404);
  strictEqual(JSON.parse(unknown.text).success, false);
});

Deno.test("apiJsonErrors: JSON answers, successes and other paths are untouched", async () => {
  const ok = await call("/api/thing");
  deepStrictEqual(JSON.parse(ok.text), { success: true });
  const limited = await call("/api/limited");
  strictEqual(limited.res.headers.get("retry-after"), "7");
  strictEqual(JSON.parse(limited.text).error, "Slow down");
  const page = await call("/page");
  strictEqual(page.res.status, 410);
  strictEqual(page.text, "Gone");
});
