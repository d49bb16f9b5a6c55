import { strictEqual } from "node:assert/strict";
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from "./limits.ts";
import { passwordLengthProblem } from "./password_rule.ts";

Deno.test("passwordLengthProblem: the limits, at their edges", () => {
  const short = `Password must be at least ${MIN_PASSWORD_LENGTH} characters`;
  const long = `Password must be at most ${MAX_PASSWORD_LENGTH} characters`;
  strictEqual(
    passwordLengthProblem("a".repeat(MIN_PASSWORD_LENGTH - 1)),
    short,
  );
  strictEqual(passwordLengthProblem("a".repeat(MIN_PASSWORD_LENGTH)), null);
  strictEqual(passwordLengthProblem("a".repeat(MAX_PASSWORD_LENGTH)), null);
  strictEqual(passwordLengthProblem("a".repeat(MAX_PASSWORD_LENGTH + 1)), long);
});

Deno.test("passwordLengthProblem: counts code points after NFC", () => {
  // "e" + combining acute is one character after NFC: 7 of them are short.
  strictEqual(passwordLengthProblem("e\u0301".repeat(7)) !== null, true);
  strictEqual(passwordLengthProblem("e\u0301".repeat(8)), null);
  // An astral character is one code point (two UTF-16 units).
  strictEqual(passwordLengthProblem("😀".repeat(MAX_PASSWORD_LENGTH)), null);
});
