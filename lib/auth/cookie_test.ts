import assert from "node:assert/strict";
import {
  deleteSessionCookie,
  readSessionToken,
  sessionCookie,
  sessionCookieName,
} from "./cookie.ts";
import { generateSessionToken } from "./session_token.ts";

const NOW = Date.UTC(2030, 0, 1);
const EXPIRES = NOW + 30 * 86_400_000;

function attrs(cookie: string): Map<string, string> {
  const [, ...rest] = cookie.split("; ");
  return new Map(rest.map((a) => {
    const eq = a.indexOf("=");
    return eq === -1 ? [a, ""] : [a.slice(0, eq), a.slice(eq + 1)];
  }));
}

function req(cookie?: string): Request {
  const headers = new Headers();
  if (cookie !== undefined) headers.set("cookie", cookie);
  return new Request("http://localhost/", { headers });
}

Deno.test("secure session cookie: __Host- prefix, Secure, HttpOnly, Lax, Path=/, deadline", () => {
  const { token } = generateSessionToken();
  const cookie = sessionCookie(token, EXPIRES, true, NOW);
  assert.ok(cookie.startsWith(`__Host-session=${token}; `));
  const a = attrs(cookie);
  assert.equal(a.get("Path"), "/");
  assert.ok(a.has("HttpOnly"));
  assert.ok(a.has("Secure"));
  assert.equal(a.get("SameSite"), "Lax");
  assert.equal(a.get("Max-Age"), String(30 * 86_400));
  assert.equal(a.get("Expires"), new Date(EXPIRES).toUTCString());
  assert.ok(!a.has("Domain"), "__Host- forbids Domain");
  assert.equal(sessionCookieName(true), "__Host-session");
});

Deno.test("insecure session cookie: plain name, no Secure, same other attributes", () => {
  const cookie = sessionCookie("abc.def", EXPIRES, false, NOW);
  assert.ok(cookie.startsWith("session=abc.def; "));
  const a = attrs(cookie);
  assert.ok(!a.has("Secure"));
  assert.ok(a.has("HttpOnly"));
  assert.equal(a.get("SameSite"), "Lax");
  assert.equal(a.get("Path"), "/");
  assert.equal(a.get("Max-Age"), String(30 * 86_400));
  assert.equal(sessionCookieName(false), "session");
  assert.equal(
    attrs(sessionCookie("t", NOW - 5000, false, NOW)).get("Max-Age"),
    "0",
  );
});

Deno.test("deleteSessionCookie expires the same cookie", () => {
  for (const secure of [true, false]) {
    const cookie = deleteSessionCookie(secure);
    assert.ok(cookie.startsWith(`${sessionCookieName(secure)}=; `));
    const a = attrs(cookie);
    assert.equal(a.get("Max-Age"), "0");
    assert.equal(a.get("Path"), "/");
    assert.ok(a.has("HttpOnly"));
    assert.equal(a.has("Secure"), secure);
    assert.equal(new Date(a.get("Expires")!).getTime(), 0);
  }
});

Deno.test("readSessionToken finds the scheme's cookie among others", () => {
  const { token } = generateSessionToken();
  assert.equal(
    readSessionToken(req(`theme=dark; __Host-session=${token}; x=1`), true),
    token,
  );
  assert.equal(readSessionToken(req(`session=${token}`), false), token);
  assert.equal(readSessionToken(req(`session="${token}"`), false), token);
  // Over HTTPS a plain "session" cookie (settable by a sibling host) is ignored.
  assert.equal(readSessionToken(req(`session=${token}`), true), null);
  assert.equal(readSessionToken(req(`__Host-session=${token}`), false), null);
  assert.equal(readSessionToken(req(`mysession=${token}`), false), null);
  assert.equal(
    readSessionToken(req(`session=bad!value; session=${token}`), false),
    token,
  );
});

Deno.test("readSessionToken tolerates garbage", () => {
  const garbage = [
    undefined,
    "",
    ";;;",
    "=",
    "==;==",
    "session",
    "session=",
    "session=;",
    'session="',
    "session=a b",
    "session=\u00e9\u00ff",
    "session=" + "a".repeat(10_000),
    "a".repeat(10_000),
    "session=%00%ff",
    "session=<script>",
  ];
  for (const cookie of garbage) {
    for (const secure of [true, false]) {
      assert.equal(readSessionToken(req(cookie), secure), null, String(cookie));
    }
  }
});
