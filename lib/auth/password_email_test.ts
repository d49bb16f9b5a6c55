import { strictEqual } from "node:assert/strict";
import fc from "fast-check";
import {
  MIN_MEANINGFUL_LOCAL_PART,
  passwordContainsEmail,
} from "./password_email.ts";

Deno.test("passwordContainsEmail: the whole address, whatever the local part's length", () => {
  for (
    const [password, email] of [
      ["bob@example.com", "bob@example.com"],
      ["BOB@EXAMPLE.COM", "bob@example.com"],
      ["my bob@example.com!", "bob@example.com"],
      ["b.o.b@example.com", "bob@example.com"],
      ["jo@x.io 2024!!", "jo@x.io"],
    ]
  ) strictEqual(passwordContainsEmail(password, email), true, password);
});

Deno.test("passwordContainsEmail: a meaningful local part, its +tag base, any case or separators", () => {
  strictEqual(
    passwordContainsEmail("Ada Lovelace 1815", "ada.lovelace@x.org"),
    true,
  );
  strictEqual(
    passwordContainsEmail("alice-2024-secret", "alice@example.com"),
    true,
  );
  strictEqual(
    passwordContainsEmail("ALICE wonder 77", "alice+shop@example.com"),
    true,
  );
  strictEqual(
    passwordContainsEmail("Élodie garden 42", "élodie@example.fr"),
    true,
  );
  // NFC: "é" typed as e + combining accent is the same letter.
  strictEqual(
    passwordContainsEmail("E\u0301lodie garden 42", "élodie@example.fr"),
    true,
  );
});

Deno.test("passwordContainsEmail: short local parts alone do not refuse ordinary words", () => {
  strictEqual(
    passwordContainsEmail("Bobsled orbit 7391", "bob@example.com"),
    false,
  );
  strictEqual(
    passwordContainsEmail("Tulip orbit 7391 quartz!", "jo@x.io"),
    false,
  );
  strictEqual(
    passwordContainsEmail("Tulip orbit 7391 quartz!", "alice@example.com"),
    false,
  );
  strictEqual(MIN_MEANINGFUL_LOCAL_PART, 4);
});

Deno.test("passwordContainsEmail: any address inside any password is caught (property)", () => {
  const casing = fc.constantFrom(
    (s: string) => s,
    (s: string) => s.toUpperCase(),
    (s: string) => s.toLowerCase(),
  );
  fc.assert(
    fc.property(
      fc.emailAddress(),
      fc.string({ maxLength: 10 }),
      fc.string({ maxLength: 10 }),
      casing,
      (email, before, after, cased) => {
        strictEqual(
          passwordContainsEmail(before + cased(email) + after, email),
          true,
        );
      },
    ),
    { numRuns: 2_000 },
  );
});
