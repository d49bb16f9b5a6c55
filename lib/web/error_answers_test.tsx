import { deepStrictEqual, match, ok, strictEqual } from "node:assert/strict";
import { App, csp, HttpError } from "fresh";
import { ForeignKeyViolationError } from "../db/db.ts";
import { BodyError } from "../http/body.ts";
import { PublicError } from "../http/public_error.ts";
import { securityHeaders } from "../security/headers.ts";
import { originCheck } from "../security/origin_check.ts";
import { errorAnswers, errorJson } from "./error_answers.tsx";
import type { State } from "./state.ts";

function app() {
  return new App<State>()
    .use(errorAnswers("/api/"))
    // The app's origin rule (it runs upstream csrf() after its own checks).
    .use(originCheck<State>((origin) => origin === "http://localhost"))
    // Like routes/_500.tsx: the framework's error page for thrown errors.
    .onError((ctx) =>
      new Response("<h1>Error page</h1>", {
        status: ctx.error instanceof HttpError ? ctx.error.status : 500,
        headers: { "content-type": "text/html; charset=utf-8" },
      })
    )
    .get("/api/thing", () => Response.json({ success: true }))
    .get("/api/page", () =>
      new Response("<h1>Oops</h1>", {
        status: 404,
        headers: { "content-type": "text/html; charset=utf-8" },
      }))
    .get("/api/boom", () => {
      throw new Error("secret detail");
    })
    .get("/api/me", () => {
      throw new HttpError(401, "Sign in to continue");
    })
    .get("/api/body", () => {
      throw new BodyError(415, "Send JSON");
    })
    .get("/api/fields", () => {
      throw new PublicError(400, "Please correct the highlighted fields", {
        email: "Enter an email address",
      });
    })
    .get(
      "/api/limited",
      () =>
        Response.json({ success: false, error: "Slow down" }, {
          status: 429,
          headers: { "retry-after": "7" },
        }),
    )
    .get("/api/vanished", () => {
      throw new ForeignKeyViolationError();
    })
    .get("/vanished", () => {
      throw new ForeignKeyViolationError();
    })
    .get("/page", () => new Response("Gone", { status: 410 }))
    .get("/form", () => new Response("form"))
    .handler();
}

async function call(path: string, init?: RequestInit) {
  const res = await app()(new Request(`http://localhost${path}`, init));
  const text = await res.text();
  return { res, text };
}

Deno.test("errorAnswers: 405 under /api/ is JSON and keeps Allow", async () => {
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

Deno.test("errorAnswers: the CSRF refusal of a non-JSON client becomes JSON", async () => {
  const { res, text } = await call("/api/thing", {
    method: "POST",
    headers: { origin: "http://evil.example" },
  });
  strictEqual(res.status, 403);
  const body = JSON.parse(text);
  strictEqual(body.success, false);
  strictEqual(body.error, "Cross-site request refused (origin check failed)");
});

Deno.test("errorAnswers: HTML and 5xx bodies are replaced by a reason phrase", async () => {
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

Deno.test("errorAnswers: JSON answers, successes and other paths are untouched", async () => {
  const ok = await call("/api/thing");
  deepStrictEqual(JSON.parse(ok.text), { success: true });
  const limited = await call("/api/limited");
  strictEqual(limited.res.headers.get("retry-after"), "7");
  strictEqual(JSON.parse(limited.text).error, "Slow down");
  const page = await call("/page");
  strictEqual(page.res.status, 410);
  strictEqual(page.text, "Gone");
});

Deno.test("errorAnswers: thrown HttpError, BodyError and PublicError say their message (and details)", async () => {
  const me = await call("/api/me");
  deepStrictEqual([me.res.status, JSON.parse(me.text)], [401, {
    success: false,
    error: "Sign in to continue",
  }]);
  // A BodyError left to propagate is the JSON 4xx (was bodyErrorResponse).
  const body = await call("/api/body");
  deepStrictEqual([body.res.status, JSON.parse(body.text)], [415, {
    success: false,
    error: "Send JSON",
  }]);
  const fields = await call("/api/fields");
  deepStrictEqual([fields.res.status, JSON.parse(fields.text)], [400, {
    success: false,
    error: "Please correct the highlighted fields",
    details: { email: "Enter an email address" },
  }]);
});

Deno.test("errorJson: a bug is a bare 500, its message never shown", async () => {
  const res = errorJson(new TypeError("secret detail"));
  deepStrictEqual([res.status, await res.json()], [500, {
    success: false,
    error: "Internal server error",
  }]);
  const hidden = errorJson(new HttpError(503, "pool exhausted at db.ts:12"));
  strictEqual((await hidden.json()).error, "Internal server error");
});

Deno.test("errorAnswers: the framework's plain 403, 404 and 405 on pages become pages", async () => {
  const refused = await call("/form", {
    method: "POST",
    headers: { origin: "http://evil.example" },
  });
  strictEqual(refused.res.status, 403);
  match(refused.res.headers.get("content-type") ?? "", /^text\/html/);
  match(refused.text, /This form was not accepted/);
  match(refused.text, /href="\/form"/);
  const method = await call("/form", {
    method: "PUT",
    headers: { origin: "http://localhost" },
  });
  strictEqual(method.res.status, 405);
  strictEqual(method.res.headers.get("allow"), "GET, HEAD, OPTIONS");
  match(method.text, /This request could not be completed/);
  // An app without a not-found page: the framework answers in plain text.
  const bare = new App<State>().use(errorAnswers("/api/")).handler();
  const missing = await bare(new Request("http://localhost/nope"));
  strictEqual(missing.status, 404);
  match(await missing.text(), /This page does not exist/);
});

Deno.test("errorAnswers: a refusal the framework throws is answered like one it returns", async () => {
  const handler = new App<State>()
    .use(errorAnswers("/api/"))
    .use(() => {
      throw new HttpError(403, "Cross-site request refused");
    })
    .handler();
  const api = await handler(
    new Request("http://localhost/api/x", { method: "POST" }),
  );
  deepStrictEqual([api.status, await api.json()], [403, {
    success: false,
    error: "Cross-site request refused",
  }]);
  const form = await handler(
    new Request("http://localhost/login", { method: "POST" }),
  );
  strictEqual(form.status, 403);
  match(await form.text(), /This form was not accepted/);
});

Deno.test("errorAnswers: an error thrown before the route still gets the headers and the CSP", async () => {
  const handler = new App<State>()
    .use(securityHeaders({ hsts: false }))
    .use(csp({ useNonce: true }))
    .use(errorAnswers("/api/"))
    .use(() => {
      throw new Error("database is closed");
    })
    .get("/dashboard", () => new Response("never"))
    .get("/api/auth/me", () => new Response("never"))
    .handler();
  const errors: unknown[] = [];
  const original = console.error;
  console.error = (...args: unknown[]) => errors.push(args);
  try {
    for (const path of ["/dashboard", "/api/auth/me"]) {
      const res = await handler(new Request(`http://localhost${path}`));
      const text = await res.text();
      strictEqual(res.status, 500, path);
      strictEqual(res.headers.get("x-frame-options"), "DENY", path);
      strictEqual(res.headers.get("x-content-type-options"), "nosniff", path);
      match(res.headers.get("content-security-policy") ?? "", /default-src/);
      ok(!text.includes("database is closed"), path);
      if (path.startsWith("/api/")) {
        deepStrictEqual(JSON.parse(text), {
          success: false,
          error: "Internal server error",
        });
      } else {
        match(text, /Something went wrong/);
      }
    }
  } finally {
    console.error = original;
  }
  strictEqual(errors.length, 2, "each 500 is logged once");
});

Deno.test("errorAnswers: a PublicError thrown on a page says its message on the error page", async () => {
  const handler = new App<State>()
    .use(errorAnswers("/api/"))
    .use(() => {
      throw new PublicError(400, "That form did not say what to do.");
    })
    .handler();
  const res = await handler(
    new Request("http://localhost/settings/sessions", { method: "POST" }),
  );
  strictEqual(res.status, 400);
  match(res.headers.get("content-type") ?? "", /^text\/html/);
  const text = await res.text();
  match(text, /This request could not be completed/);
  match(text, /That form did not say what to do\./);
});

Deno.test("errorAnswers: a write for an account deleted meanwhile is a 409 that says so, JSON and page", async () => {
  const json = await call("/api/vanished");
  strictEqual(json.res.status, 409);
  strictEqual(json.res.headers.get("retry-after"), null);
  match(JSON.parse(json.text).error, /account changed while this request ran/);
  const page = await call("/vanished");
  strictEqual(page.res.status, 409);
});
