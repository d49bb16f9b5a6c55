import {
  deepStrictEqual,
  notStrictEqual,
  ok,
  strictEqual,
} from "node:assert/strict";
import fc from "fast-check";
import { generateHOTP } from "@oslojs/otp";
import { decodeBase32IgnorePadding } from "@oslojs/encoding";
import {
  matchTotp,
  newTotpSecret,
  totpCodeAt,
  totpKeyText,
  totpStep,
  totpUri,
} from "./totp.ts";

// RFC 6238, appendix B: the SHA-1 seed and its 8-digit codes.
const RFC_SEED = new TextEncoder().encode("12345678901234567890");
const RFC_VECTORS: [seconds: number, code: string][] = [
  [59, "94287082"],
  [1111111109, "07081804"],
  [1111111111, "14050471"],
  [1234567890, "89005924"],
  [2000000000, "69279037"],
  [20000000000, "65353130"],
];

Deno.test("RFC 6238 SHA-1 test vectors: 8 digits as published, and our 6 are their last 6", () => {
  for (const [seconds, code] of RFC_VECTORS) {
    const step = totpStep(seconds * 1000);
    strictEqual(generateHOTP(RFC_SEED, BigInt(step), 8), code, `T=${seconds}`);
    strictEqual(totpCodeAt(RFC_SEED, step), code.slice(2), `T=${seconds}`);
    strictEqual(
      matchTotp(RFC_SEED, code.slice(2), seconds * 1000),
      step,
      `T=${seconds}`,
    );
  }
});

Deno.test("one step of drift either side is accepted, two are refused", () => {
  const secret = newTotpSecret();
  const now = Date.UTC(2030, 0, 1, 12, 0, 10);
  const step = totpStep(now);
  strictEqual(matchTotp(secret, totpCodeAt(secret, step), now), step);
  strictEqual(matchTotp(secret, totpCodeAt(secret, step - 1), now), step - 1);
  strictEqual(matchTotp(secret, totpCodeAt(secret, step + 1), now), step + 1);
  for (const d of [-2, 2, -3, 3, 100]) {
    const code = totpCodeAt(secret, step + d);
    // A code of a far step may by chance equal a near one's (1 in 10^6).
    const near = [-1, 0, 1].some((n) => totpCodeAt(secret, step + n) === code);
    if (!near) strictEqual(matchTotp(secret, code, now), null, `drift ${d}`);
  }
  // The edges of the step: its first and last millisecond.
  const start = step * 30_000;
  strictEqual(
    matchTotp(secret, totpCodeAt(secret, step - 1), start + 29_999),
    step - 1,
  );
  strictEqual(
    matchTotp(secret, totpCodeAt(secret, step - 2), start),
    totpCodeAt(secret, step - 2) === totpCodeAt(secret, step - 1)
      ? step - 1
      : null,
  );
});

Deno.test("spaces are allowed; anything but six ASCII digits is refused", () => {
  const secret = newTotpSecret();
  const now = Date.now();
  const step = totpStep(now);
  const code = totpCodeAt(secret, step);
  strictEqual(
    matchTotp(secret, `${code.slice(0, 3)} ${code.slice(3)}`, now),
    step,
  );
  strictEqual(matchTotp(secret, ` ${code}\t`, now), step);
  for (
    const bad of [
      "",
      code.slice(0, 5),
      code + "0",
      `${code.slice(0, 5)}a`,
      `-${code.slice(1)}`,
      `${code.slice(0, 3)}-${code.slice(3)}`,
      // Fullwidth and Arabic-Indic digits are not ASCII digits.
      code.replace(/[0-9]/g, (d) => String.fromCharCode(0xff10 + Number(d))),
      code.replace(/[0-9]/g, (d) => String.fromCharCode(0x0660 + Number(d))),
      `${code}\n`,
      " ".repeat(40) + code,
    ]
  ) {
    strictEqual(matchTotp(secret, bad, now), null, JSON.stringify(bad));
  }
  fc.assert(
    fc.property(fc.string({ unit: "binary", maxLength: 40 }), (s) => {
      const m = matchTotp(secret, s, now);
      if (m !== null) {
        ok(/^[0-9]{6}$/.test(s.replace(/[ \t]/g, "")), s);
        ok(Math.abs(m - step) <= 1);
      }
    }),
  );
});

Deno.test("a new secret is 160 random bits; its key text and URI carry it", () => {
  const a = newTotpSecret();
  strictEqual(a.length, 20);
  notStrictEqual(totpKeyText(a), totpKeyText(newTotpSecret()));
  strictEqual(
    totpKeyText(RFC_SEED),
    "GEZD GNBV GY3T QOJQ GEZD GNBV GY3T QOJQ",
  );
  const text = totpKeyText(a);
  ok(/^([A-Z2-7]{4} ){7}[A-Z2-7]{4}$/.test(text), text);
  deepStrictEqual(
    decodeBase32IgnorePadding(text.replaceAll(" ", "")),
    a,
    "the text decodes to the secret",
  );
  const uri = new URL(
    totpUri(a, { issuer: "Islet", account: "ada+x@example.com" }),
  );
  strictEqual(uri.protocol, "otpauth:");
  strictEqual(uri.host, "totp");
  strictEqual(decodeURIComponent(uri.pathname), "/Islet:ada+x@example.com");
  strictEqual(uri.searchParams.get("secret"), text.replaceAll(" ", ""));
  strictEqual(uri.searchParams.get("issuer"), "Islet");
  strictEqual(uri.searchParams.get("algorithm"), "SHA1");
  strictEqual(uri.searchParams.get("digits"), "6");
  strictEqual(uri.searchParams.get("period"), "30");
});
