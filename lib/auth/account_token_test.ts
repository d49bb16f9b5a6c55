import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { issueToken, TOKEN_BYTES, tokenHash } from "./account_token.ts";

Deno.test("a token is 256 random bits in base64url, stored as its SHA-256", () => {
  const { token, hash } = issueToken();
  assert.match(token, /^[A-Za-z0-9_-]{43}$/);
  assert.equal(TOKEN_BYTES * 8, 256);
  assert.deepEqual(
    hash,
    new Uint8Array(createHash("sha256").update(token).digest()),
  );
  assert.deepEqual(tokenHash(token), hash);
});

Deno.test("tokens do not repeat", () => {
  const seen = new Set<string>();
  for (let i = 0; i < 1000; i++) seen.add(issueToken().token);
  assert.equal(seen.size, 1000);
});

Deno.test("text that cannot be a token has no hash", () => {
  const { token } = issueToken();
  for (
    const bad of [
      undefined,
      null,
      42,
      "",
      token.slice(1),
      token + "A",
      token.slice(1) + "=",
      token.slice(1) + "+",
      token.slice(1) + "/",
      token.slice(0, 42) + "é",
      " " + token.slice(1),
    ]
  ) {
    assert.equal(tokenHash(bad), null, String(bad));
  }
});
