/**
 * The built app over HTTP: malformed input to the auth endpoints is a
 * clear 4xx (JSON error shape for the API, the page for the forms), never
 * a 500.
 */
import { ok, strictEqual } from "node:assert/strict";
import {
  type Answer,
  assertJsonError,
  type AuthApp,
  Client,
  PASSWORD,
  type RequestOptions,
  startApp,
  uniqueEmail,
} from "../helpers/auth.ts";

const JSON_TYPE = { "content-type": "application/json" };
const FORM_TYPE = { "content-type": "application/x-www-form-urlencoded" };

/** Each case from its own address, so rate limits never answer for the parser. */
function send(app: AuthApp, path: string, opts: RequestOptions) {
  return new Client(app).post(path, opts);
}

function assertFieldErrors(a: Answer, fields: string[]): void {
  assertJsonError(a, 400);
  ok(a.json.details, `details in ${a.text}`);
  for (const f of fields) {
    strictEqual(typeof a.json.details[f], "string", `details.${f}: ${a.text}`);
  }
}

Deno.test("input: the JSON auth endpoints answer malformed bodies with 400/413/415 JSON errors", async () => {
  const app = await startApp();
  try {
    for (const path of ["/api/auth/register", "/api/auth/login"]) {
      const raw = (body: BodyInit, headers: Record<string, string>) =>
        send(app, path, { body, headers });
      const why = (a: Answer) => `${path}: ${a.status} ${a.text}`;

      assertJsonError(await raw("{", JSON_TYPE), 400);
      assertJsonError(await raw('{"email": "a@b.c",}', JSON_TYPE), 400);
      for (const body of ["[1,2]", "null", '"a string"', "42", ""]) {
        assertJsonError(await raw(body, JSON_TYPE), 400);
      }
      // Wrong or missing content type.
      for (
        const type of [
          "text/plain",
          "multipart/form-data; boundary=x",
          "",
          "application/jsonx",
        ]
      ) {
        const a = await raw(
          JSON.stringify({ email: "a@b.c", password: PASSWORD }),
          type === "" ? {} : { "content-type": type },
        );
        assertJsonError(a, 415);
      }
      // Too large: declared, and streamed without a length.
      assertJsonError(
        await raw(JSON.stringify({ email: "x".repeat(40_000) }), JSON_TYPE),
        413,
      );
      const chunk = new TextEncoder().encode("a".repeat(8192));
      let sent = 0;
      const stream = new ReadableStream<Uint8Array>({
        pull(c) {
          if (sent++ < 64) c.enqueue(chunk);
          else c.close();
        },
      });
      const streamed = await send(app, path, {
        body: stream,
        headers: FORM_TYPE,
      });
      assertJsonError(streamed, 413);
      // Not UTF-8.
      assertJsonError(
        await raw(
          new Uint8Array([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]),
          JSON_TYPE,
        ),
        400,
      );
      const latin1 = await raw(
        new Uint8Array([...new TextEncoder().encode("email=caf"), 0xe9]),
        FORM_TYPE,
      );
      assertJsonError(latin1, 400);

      // Missing or mistyped fields: 400 naming each field.
      assertFieldErrors(
        await send(app, path, { json: {} }),
        ["email", "password"],
      );
      assertFieldErrors(
        await send(app, path, { json: { email: uniqueEmail() } }),
        ["password"],
      );
      assertFieldErrors(
        await send(app, path, { json: { password: PASSWORD } }),
        ["email"],
      );
      assertFieldErrors(
        await send(app, path, {
          json: { email: uniqueEmail(), password: 12345678 },
        }),
        ["password"],
      );
      assertFieldErrors(
        await send(app, path, {
          json: { email: ["a@b.c"], password: { $ne: null } },
        }),
        ["email", "password"],
      );
      assertFieldErrors(
        await send(app, path, { form: { email: "", password: "" } }),
        ["email", "password"],
      );
      // A 10 KB email fits the body limit and is refused by validation.
      const huge = "a".repeat(10 * 1024) + "@example.com";
      const a = await send(app, path, {
        json: { email: huge, password: PASSWORD },
      });
      assertFieldErrors(a, ["email"]);
      ok(!a.text.includes(huge), "the input is not echoed back");
      // Odd but well-formed strings are just invalid.
      for (
        const email of [
          "a\u0000b@example.com",
          "\ud800@example.com",
          "<script>@example.com",
          "a@b",
          " ",
        ]
      ) {
        const r = await send(app, path, {
          json: { email, password: PASSWORD },
        });
        ok(r.status === 400 || r.status === 401, why(r));
        strictEqual(r.json.success, false, why(r));
      }
    }
    // Registration-specific validation.
    assertFieldErrors(
      await send(app, "/api/auth/register", {
        json: { email: uniqueEmail(), password: "short" },
      }),
      ["password"],
    );
    assertFieldErrors(
      await send(app, "/api/auth/register", {
        json: { email: uniqueEmail(), password: "x".repeat(129) },
      }),
      ["password"],
    );
    assertFieldErrors(
      await send(app, "/api/auth/register", {
        json: { email: uniqueEmail(), password: "password123" },
      }),
      ["password"],
    );
    // Still serving, nothing logged as an error.
    strictEqual((await new Client(app).get("/api/health")).status, 200);
    ok(!/error|exception/i.test(app.logs()), app.logs());
  } finally {
    await app.stop();
  }
});

Deno.test("input: the HTML sign-in and sign-up forms re-render with an error on malformed bodies", async () => {
  const app = await startApp();
  try {
    const html = { accept: "text/html" };
    for (const path of ["/login", "/signup"]) {
      const cases: [RequestOptions, number][] = [
        [
          { body: "x", headers: { ...html, "content-type": "text/plain" } },
          415,
        ],
        [{
          body: "a=" + "x".repeat(40_000),
          headers: { ...html, ...FORM_TYPE },
        }, 413],
        [{
          body: new Uint8Array([0x61, 0x3d, 0xff]),
          headers: { ...html, ...FORM_TYPE },
        }, 400],
        [{ body: "{", headers: { ...html, ...JSON_TYPE } }, 400],
        [{ form: {}, headers: html }, 400],
        [{ form: { email: "nope", password: "" }, headers: html }, 400],
      ];
      for (const [opts, status] of cases) {
        const a = await send(app, path, opts);
        strictEqual(a.status, status, `${path}: ${a.text.slice(0, 200)}`);
        ok(
          (a.headers.get("content-type") ?? "").includes("text/html"),
          `${path} ${status} is a page`,
        );
        // A form-level problem is an alert; a field's problem is said once,
        // at the field (aria-invalid, described by its message).
        ok(
          /role="alert"/.test(a.text) ||
            /aria-invalid="true" aria-describedby="[^"]*-error"/.test(a.text),
          `${path} ${status} shows the error`,
        );
      }
    }
    // A failed form sign-in keeps the email, never the password.
    const email = uniqueEmail();
    const a = await send(app, "/login", {
      form: { email, password: "the wrong one" },
      headers: html,
    });
    strictEqual(a.status, 401);
    ok(a.text.includes(email));
    ok(!a.text.includes("the wrong one"));
    ok(a.text.includes("Invalid email or password"));
  } finally {
    await app.stop();
  }
});
