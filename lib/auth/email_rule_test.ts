import { strictEqual } from "node:assert/strict";
import fc from "fast-check";
import { emailProblem, normalizeEmail } from "./email_rule.ts";
import { MAX_EMAIL_LENGTH, MAX_EMAIL_LOCAL_LENGTH } from "./limits.ts";
import { EMAIL_INVALID, EMAIL_REQUIRED } from "./messages.ts";

Deno.test("normalizeEmail: trimmed and lower-cased, nothing else", () => {
  strictEqual(normalizeEmail("  Ada@Example.COM "), "ada@example.com");
  // Dots and +tags name different mailboxes at some providers: kept.
  strictEqual(normalizeEmail("A.da+News@x.io"), "a.da+news@x.io");
});

Deno.test("normalizeEmail: spellings that differ only in case are one address", () => {
  const address = fc.stringMatching(
    /^[a-z0-9.+_-]{1,20}@[a-z0-9-]{1,10}\.[a-z]{2,5}$/,
  );
  fc.assert(
    fc.property(
      address,
      fc.array(fc.boolean(), { maxLength: 40 }),
      (email, upper) => {
        const spelled = [...email].map((c, i) => upper[i] ? c.toUpperCase() : c)
          .join("");
        strictEqual(normalizeEmail(` ${spelled}\t`), email);
        strictEqual(normalizeEmail(normalizeEmail(spelled)), email);
      },
    ),
  );
});

Deno.test("an accepted address normalises to ASCII, which NFKC leaves alone", () => {
  fc.assert(
    fc.property(fc.string({ unit: "binary", maxLength: 40 }), (value) => {
      if (emailProblem(value) !== null) return;
      const email = normalizeEmail(value);
      strictEqual(/^[\x21-\x7e]+$/.test(email), true, email);
      strictEqual(email.normalize("NFKC"), email);
    }),
  );
  // The Kelvin sign lower-cases to an ASCII "k": one account with "kate".
  strictEqual(emailProblem("\u212Aate@example.com"), null);
  strictEqual(normalizeEmail("\u212Aate@example.com"), "kate@example.com");
});

Deno.test("emailProblem: the length limits, at their edges", () => {
  const local = "a".repeat(MAX_EMAIL_LOCAL_LENGTH);
  strictEqual(emailProblem(`${local}@example.com`), null);
  strictEqual(emailProblem(`a${local}@example.com`), EMAIL_INVALID);
  const domain = `${"b".repeat(60)}.`.repeat(4) + "com";
  const fits = `${"a".repeat(MAX_EMAIL_LENGTH - domain.length - 1)}@${domain}`;
  strictEqual(fits.length, MAX_EMAIL_LENGTH);
  strictEqual(emailProblem(fits), null);
  strictEqual(emailProblem(`a${fits}`), EMAIL_INVALID);
  strictEqual(emailProblem("  "), EMAIL_REQUIRED);
});
