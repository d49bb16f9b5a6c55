import assert from "node:assert/strict";
import {
  constantTimeEqual,
  encodeBase32LowerNoPadding,
  generateSessionToken,
  hashSecret,
  ID_BYTES,
  parseSessionToken,
  SECRET_BYTES,
} from "./session_token.ts";

Deno.test("base32 matches the RFC 4648 test vectors (lowercase, unpadded)", () => {
  const vectors: [string, string][] = [
    ["", ""],
    ["f", "my"],
    ["fo", "mzxq"],
    ["foo", "mzxw6"],
    ["foob", "mzxw6yq"],
    ["fooba", "mzxw6ytb"],
    ["foobar", "mzxw6ytboi"],
  ];
  for (const [input, expected] of vectors) {
    assert.equal(
      encodeBase32LowerNoPadding(new TextEncoder().encode(input)),
      expected,
    );
  }
  assert.equal(
    encodeBase32LowerNoPadding(new Uint8Array(32).fill(255)),
    "7".repeat(51) + "q",
  );
});

Deno.test("tokens: id ≥ 120 bits, secret ≥ 256 bits, fixed format, all unique", () => {
  assert.ok(ID_BYTES * 8 >= 120);
  assert.ok(SECRET_BYTES * 8 >= 256);
  const ids = new Set<string>();
  const secrets = new Set<string>();
  const seen = new Set<string>();
  const n = 5000;
  for (let i = 0; i < n; i++) {
    const { id, secret, token } = generateSessionToken();
    assert.match(token, /^[a-z2-7]{24}\.[a-z2-7]{52}$/);
    assert.equal(token, `${id}.${secret}`);
    ids.add(id);
    secrets.add(secret);
    for (const ch of id) seen.add(ch);
  }
  assert.equal(ids.size, n);
  assert.equal(secrets.size, n);
  assert.equal(seen.size, 32, "every base32 character occurs");
});

Deno.test("token bits look uniformly random (each bit position set about half the time)", () => {
  const n = 4000;
  const ones = new Array(ID_BYTES * 8).fill(0);
  for (let i = 0; i < n; i++) {
    const { id } = generateSessionToken();
    // Decode the 24 base32 characters back to 120 bits.
    let bit = 0;
    for (const ch of id) {
      const v = "abcdefghijklmnopqrstuvwxyz234567".indexOf(ch);
      for (let b = 4; b >= 0; b--) ones[bit++] += (v >> b) & 1;
    }
  }
  // Binomial(4000, 0.5): sd ≈ 31.6; ±8 sd never fails by chance in practice.
  for (const count of ones) {
    assert.ok(Math.abs(count - n / 2) < 253, `bit count ${count}`);
  }
});

Deno.test("parseSessionToken accepts only the generated shape", () => {
  const { id, secret, token } = generateSessionToken();
  assert.deepEqual(parseSessionToken(token), { id, secret });
  for (
    const bad of [
      "",
      ".",
      "a.b.c",
      token + "a",
      token.slice(1),
      token.replace(".", "-"),
      token.toUpperCase(),
      id + "." + secret.replace(/./, "1"),
      "x".repeat(10_000),
      "é".repeat(77),
      null,
      undefined,
      77,
    ]
  ) assert.equal(parseSessionToken(bad), null, String(bad));
});

Deno.test("hashSecret is SHA-256 and constantTimeEqual compares bytes", () => {
  const hash = hashSecret("abc");
  assert.equal(
    Array.from(hash, (b) => b.toString(16).padStart(2, "0")).join(""),
    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
  );
  assert.equal(constantTimeEqual(hash, hashSecret("abc")), true);
  assert.equal(constantTimeEqual(hash, hashSecret("abd")), false);
  assert.equal(constantTimeEqual(hash, hash.subarray(0, 31)), false);
  assert.equal(constantTimeEqual(new Uint8Array(0), new Uint8Array(0)), true);
});
