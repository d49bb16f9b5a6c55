import { deepStrictEqual } from "node:assert/strict";
import { NETWORK_ERROR, postJson } from "./post_json.ts";

Deno.test("postJson reads the error shape, falls back on other answers, and reports network failures", async () => {
  const answers: Response[] = [
    Response.json({ success: true, message: "Check your inbox" }, {
      status: 202,
    }),
    Response.json({
      success: false,
      error: "Invalid email or password",
      details: { email: "Bad" },
    }, { status: 401 }),
    new Response("<html>oops</html>", { status: 502 }),
  ];
  const sent: unknown[] = [];
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    async (req) => {
      sent.push([req.headers.get("content-type"), await req.json()]);
      return answers.shift()!;
    },
  );
  try {
    const url = `http://127.0.0.1:${server.addr.port}/api`;
    deepStrictEqual(await postJson(url, { a: 1 }, "fallback"), {
      ok: true,
      data: { success: true, message: "Check your inbox" },
    });
    deepStrictEqual(await postJson(url, { a: 2 }, "fallback"), {
      ok: false,
      error: "Invalid email or password",
      details: { email: "Bad" },
    });
    deepStrictEqual(await postJson(url, { a: 3 }, "fallback"), {
      ok: false,
      error: "fallback",
      details: {},
    });
    deepStrictEqual(sent[0], ["application/json", { a: 1 }]);
  } finally {
    await server.shutdown();
  }
  deepStrictEqual(await postJson("http://127.0.0.1:1/", {}, "fallback"), {
    ok: false,
    error: NETWORK_ERROR,
    details: {},
  });
});
