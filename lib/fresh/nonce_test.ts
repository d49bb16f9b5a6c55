import { match, strictEqual } from "node:assert/strict";
import { newNonce } from "./nonce.ts";

Deno.test("newNonce: 16 random bytes in base64, never repeated across pool refills", () => {
  const seen = new Set<string>();
  // More than one pool of 256 nonces.
  for (let i = 0; i < 1000; i++) {
    const nonce = newNonce();
    match(nonce, /^[A-Za-z0-9+/]{22}==$/);
    strictEqual(atob(nonce).length, 16);
    seen.add(nonce);
  }
  strictEqual(seen.size, 1000);
});
