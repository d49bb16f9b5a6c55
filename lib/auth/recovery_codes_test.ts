import { notStrictEqual, ok, strictEqual } from "node:assert/strict";
import fc from "fast-check";
import {
  newRecoveryCode,
  newRecoveryCodes,
  normaliseRecoveryCode,
  RECOVERY_CODE_ALPHABET,
  RECOVERY_CODE_COUNT,
  recoveryCodeHash,
} from "./recovery_codes.ts";

Deno.test("a set is ten different codes of 12 symbols from 32: 60 bits each", () => {
  strictEqual(RECOVERY_CODE_ALPHABET.length, 32);
  strictEqual(new Set(RECOVERY_CODE_ALPHABET).size, 32);
  for (const c of "ilou") ok(!RECOVERY_CODE_ALPHABET.includes(c), c);
  strictEqual(12 * Math.log2(RECOVERY_CODE_ALPHABET.length), 60);
  const codes = newRecoveryCodes();
  strictEqual(codes.length, RECOVERY_CODE_COUNT);
  strictEqual(new Set(codes).size, RECOVERY_CODE_COUNT);
  for (const code of codes) {
    ok(
      /^[0-9a-hjkmnp-tv-z]{4}-[0-9a-hjkmnp-tv-z]{4}-[0-9a-hjkmnp-tv-z]{4}$/
        .test(code),
      code,
    );
  }
  notStrictEqual(newRecoveryCodes().join(), codes.join());
});

Deno.test("every symbol comes up about equally often (no modulo bias)", () => {
  const seen = new Map<string, number>();
  const n = 4000;
  for (let i = 0; i < n; i++) {
    for (const c of newRecoveryCode().replaceAll("-", "")) {
      seen.set(c, (seen.get(c) ?? 0) + 1);
    }
  }
  strictEqual(seen.size, 32);
  const expected = (n * 12) / 32; // 1500
  for (const [c, count] of seen) {
    // ~10 standard deviations: fails only when something is badly wrong.
    ok(Math.abs(count - expected) < 400, `${c}: ${count}`);
  }
});

Deno.test("typed back: case, spaces, dashes and o/i/l do not matter; the rest is malformed", () => {
  const code = "7k2m-q9dx-0h1c";
  const hash = recoveryCodeHash("u1", code);
  ok(hash !== null && /^[0-9a-f]{64}$/.test(hash));
  for (
    const typed of [
      "7K2M-Q9DX-0H1C",
      " 7k2m q9dx 0h1c ",
      "7k2mq9dx0h1c",
      "7k2m-q9dx-Oh1c",
      "7k2m-q9dx-0hIc",
      "7k2m-q9dx-0hlc",
      "7k2m--q9dx--0h1c",
    ]
  ) {
    strictEqual(recoveryCodeHash("u1", typed), hash, typed);
  }
  strictEqual(normaliseRecoveryCode("7K2M-Q9DX-0H1C"), "7k2mq9dx0h1c");
  notStrictEqual(recoveryCodeHash("u2", code), hash, "bound to the account");
  notStrictEqual(recoveryCodeHash("u1", "7k2m-q9dx-0h1d"), hash);
  for (
    const bad of [
      "",
      "123456",
      "7k2m-q9dx-0h1",
      "7k2m-q9dx-0h1cc",
      "7k2m-q9dx-0h1u",
      "7k2m_q9dx_0h1c",
      "7k2m-q9dx-0h1ç",
      "7k2m-q9dx-0h1c".padStart(70, " "),
    ]
  ) {
    strictEqual(recoveryCodeHash("u1", bad), null, JSON.stringify(bad));
  }
  fc.assert(
    fc.property(fc.string({ unit: "binary", maxLength: 80 }), (s) => {
      const n = normaliseRecoveryCode(s);
      if (n !== null) ok(/^[0-9a-hjkmnp-tv-z]{12}$/.test(n), n);
      strictEqual(recoveryCodeHash("u1", s) === null, n === null);
    }),
  );
});
