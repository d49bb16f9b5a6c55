/**
 * What fetch will not send, over a bare TCP socket: broken request lines,
 * raw bytes and control characters in paths and headers, lying or
 * contradictory Content-Length and Transfer-Encoding, foreign Host headers.
 * The HTTP layer may refuse a request (a 4xx, or closing the connection);
 * the app may never answer 5xx, and keeps serving afterwards.
 *
 * @module
 */
import { deepStrictEqual, ok, strictEqual } from "node:assert/strict";
import { Client, startServedApp, uniqueEmail } from "../helpers/auth.ts";
import { utf8Bytes } from "./fuzz.ts";
import { badLogLines, databaseProblems, findLeak } from "./fuzz_run.ts";

/** One raw request: the bytes as a ByteString, and whether to end the upload early. */
interface RawCase {
  name: string;
  bytes: string;
  /** Close our side after sending (a body shorter than its Content-Length). */
  halfClose?: boolean;
}

function cases(host: string, cookie: string): RawCase[] {
  const req = (
    name: string,
    line: string,
    headers: string[] = [],
    body = "",
    halfClose = false,
  ): RawCase => ({
    name,
    bytes: `${line}\r\n${
      [`Host: ${host}`, "Connection: close", ...headers]
        .map((h) => `${h}\r\n`).join("")
    }\r\n${body}`,
    halfClose,
  });
  const json = "Content-Type: application/json";
  const origin = `Origin: http://${host.replace("127.0.0.1", "localhost")}`;
  const creds = '{"email":"a@b.c","password":"x"}';
  return [
    req("dot segments after bad escape", "GET /%ZZ/../x HTTP/1.1"),
    req("unnormalised ..", "GET /api/health/../../../etc/passwd HTTP/1.1"),
    req("raw NUL in path", "GET /\x00 HTTP/1.1"),
    req("raw UTF-8 path", `GET /${utf8Bytes("ü/😀")} HTTP/1.1`),
    req("invalid UTF-8 path", "GET /\xff\xfe/%C0%AF HTTP/1.1"),
    req("raw DEL in query", "GET /login?next=\x7f\x01 HTTP/1.1"),
    req("fragment in target", "GET /login#frag HTTP/1.1"),
    req("scheme-relative target", "GET //evil.example/ HTTP/1.1"),
    req("asterisk GET", "GET * HTTP/1.1"),
    req("asterisk OPTIONS", "OPTIONS * HTTP/1.1"),
    req("absolute form", "GET http://evil.example/api/health HTTP/1.1"),
    {
      name: "foreign Host",
      bytes:
        `GET /api/auth/me HTTP/1.1\r\nHost: evil.example\r\n${cookie}\r\nConnection: close\r\n\r\n`,
    },
    {
      name: "HTTP/1.0 without Host",
      bytes: "GET / HTTP/1.0\r\n\r\n",
    },
    { name: "HTTP/0.9 line", bytes: "GET /\r\n\r\n" },
    req("unknown version", "GET /api/health HTTP/9.9"),
    req("lower-case method", "get /api/health HTTP/1.1"),
    req("NUL in method", "G\x00T / HTTP/1.1"),
    req("long method", `${"A".repeat(1000)} / HTTP/1.1`),
    req("control chars in user agent", "GET /login HTTP/1.1", [
      "User-Agent: a\x01b\x7f\x1b[31m",
      cookie,
    ]),
    req("raw UTF-8 cookie", "GET /dashboard HTTP/1.1", [
      `Cookie: ${utf8Bytes("session=ü; theme=😀")}`,
    ]),
    req("invalid UTF-8 cookie", "GET /api/auth/me HTTP/1.1", [
      "Cookie: session=\xff\xfe.\xc0\xaf",
    ]),
    req("raw UTF-8 forwarded-for", "GET /api/health HTTP/1.1", [
      `X-Forwarded-For: ${utf8Bytes("１.２.３.４, ::1")}`,
    ]),
    req("header without colon", "GET / HTTP/1.1", ["NoColonHere"]),
    req("space in header name", "GET / HTTP/1.1", ["Bad Header: x"]),
    req("many headers", "GET /api/health HTTP/1.1", [
      ...Array.from({ length: 200 }, (_, i) => `X-H${i}: ${"v".repeat(1000)}`),
    ]),
    req("64 KB cookie", "GET /api/auth/me HTTP/1.1", [
      `Cookie: session=${"a".repeat(65_536)}`,
    ]),
    req("body longer than Content-Length", "POST /api/auth/login HTTP/1.1", [
      origin,
      json,
      "Content-Length: 5",
    ], creds),
    req(
      "body shorter than Content-Length",
      "POST /api/auth/login HTTP/1.1",
      [origin, json, "Content-Length: 100"],
      '{"em',
      true,
    ),
    req("negative Content-Length", "POST /api/auth/login HTTP/1.1", [
      origin,
      json,
      "Content-Length: -1",
    ], creds),
    req("non-numeric Content-Length", "POST /api/auth/register HTTP/1.1", [
      origin,
      json,
      "Content-Length: abc",
    ], creds),
    req("two Content-Lengths", "POST /api/auth/login HTTP/1.1", [
      origin,
      json,
      "Content-Length: 2",
      `Content-Length: ${creds.length}`,
    ], creds),
    req("Content-Length and chunked", "POST /login HTTP/1.1", [
      origin,
      json,
      `Content-Length: ${creds.length}`,
      "Transfer-Encoding: chunked",
    ], `${creds.length.toString(16)}\r\n${creds}\r\n0\r\n\r\n`),
    req("bad chunk size", "POST /api/auth/register HTTP/1.1", [
      origin,
      json,
      "Transfer-Encoding: chunked",
    ], "zz\r\nabc\r\n0\r\n\r\n"),
    req(
      "chunked, never finished",
      "POST /signup HTTP/1.1",
      [
        origin,
        "Content-Type: application/x-www-form-urlencoded",
        "Transfer-Encoding: chunked",
      ],
      "5\r\nemail\r\n",
      true,
    ),
    req("NUL in content type", "POST /api/auth/login HTTP/1.1", [
      origin,
      "Content-Type: application/json\x01",
      `Content-Length: ${creds.length}`,
    ], creds),
    req("raw UTF-8 origin", "POST /api/auth/logout HTTP/1.1", [
      `Origin: ${utf8Bytes("http://lócalhost")}`,
      cookie,
      "Content-Length: 0",
    ]),
    req("Expect: 100-continue", "POST /api/auth/login HTTP/1.1", [
      origin,
      json,
      "Expect: 100-continue",
      `Content-Length: ${creds.length}`,
    ], creds),
  ];
}

/** Sends the bytes, returns what came back (possibly nothing). */
async function sendRaw(port: number, c: RawCase): Promise<string> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  const timer = setTimeout(() => {
    try {
      conn.close();
    } catch { /* closed already */ }
  }, 5_000);
  const bytes = Uint8Array.from(c.bytes, (ch) => ch.charCodeAt(0));
  let out = "";
  try {
    await conn.write(bytes).catch(() => {});
    if (c.halfClose) await conn.closeWrite().catch(() => {});
    const buf = new Uint8Array(16_384);
    while (true) {
      const n = await conn.read(buf).catch(() => null);
      if (n === null) break;
      out += new TextDecoder("latin1").decode(buf.subarray(0, n));
      if (out.length > 200_000) break;
    }
  } finally {
    clearTimeout(timer);
    try {
      conn.close();
    } catch { /* closed already */ }
  }
  return out;
}

Deno.test("raw HTTP: malformed requests fetch cannot send never get a 5xx", async () => {
  const app = await startServedApp({ env: { RATE_LIMITS: "off" } });
  try {
    const alice = new Client(app);
    const email = uniqueEmail("raw");
    await alice.register(email);
    const host = `127.0.0.1:${app.server!.port}`;
    const failures: string[] = [];
    const seen: string[] = [];
    const list = cases(host, `Cookie: ${alice.cookie}`);
    for (const c of list) {
      const answer = await sendRaw(app.server!.port, c);
      // The final answer: after any interim 1xx (Expect: 100-continue).
      const status = [...answer.matchAll(/^HTTP\/1\.[01] (\d{3})/gm)]
        .map((m) => m[1]).find((s) => !s.startsWith("1"));
      seen.push(`${c.name}: ${status ?? "closed"}`);
      if (status !== undefined && Number(status) >= 500) {
        failures.push(`${c.name}: ${answer.slice(0, 300)}`);
      }
      const leak = findLeak(answer);
      if (leak) failures.push(`${c.name} leaks: ${leak}`);
    }
    console.log(`raw requests (${list.length}):\n  ${seen.join("\n  ")}`);
    deepStrictEqual(failures, []);

    // Still serving, and the real session still works.
    strictEqual(await alice.meStatus(), 200);
    const res = await fetch(`${app.url}/api/health`);
    strictEqual(res.status, 200);
    await res.body?.cancel();
    await new Client(app).login(email);
    await app.close();
    const log = app.logs();
    deepStrictEqual(badLogLines(log), [], log.slice(-4000));
    deepStrictEqual(databaseProblems(app.dbPath), []);
    ok(list.length >= 30);
  } finally {
    await app.stop();
  }
});
