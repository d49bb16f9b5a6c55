import { deepStrictEqual, match, ok } from "node:assert/strict";
import fc from "fast-check";
import { listOAuthAccounts } from "../db/oauth_accounts.ts";
import { dbTest } from "../db/testing.ts";
import { createUser, markEmailVerified } from "../db/users.ts";
import { META } from "../auth/account_testing.ts";
import { resolveIdentity } from "./accounts.ts";
import { everyRow, oauthFixture, testIdentity } from "./accounts_testing.ts";

// Whatever a provider sends in its free-text fields. Ids are the client's
// to validate (a PostgreSQL text cannot hold U+0000): printable here.
const text = fc.oneof(
  fc.string({ unit: "binary", maxLength: 80 }),
  fc.string({ unit: "grapheme", maxLength: 40 }),
  fc.constantFrom(
    "",
    " ",
    "\r\nBcc: x@evil.example",
    "\u202Emoc.elgoog",
    "\u0000",
  ),
);
const address = fc.oneof(
  fc.emailAddress(),
  fc.constantFrom(
    "taken@example.com",
    "TAKEN@example.com",
    "unconfirmed@example.com",
  ),
  text,
);
const identity = fc.record({
  providerUserId: fc.string({
    unit: "grapheme-ascii",
    minLength: 1,
    maxLength: 60,
  }),
  email: fc.option(address, { nil: null }),
  emailVerified: fc.boolean(),
  login: fc.option(text, { nil: null }),
  name: fc.option(text, { nil: null }),
  label: text,
});

dbTest(
  "resolveIdentity: any identity signs in, makes a valid account, or is refused with nothing written (property)",
  async (db) => {
    const { deps, fixture } = await oauthFixture(db);
    try {
      const taken = await createUser(db, {
        email: "taken@example.com",
        username: "taken",
      });
      await markEmailVerified(db, taken.id);
      await createUser(db, {
        email: "unconfirmed@example.com",
        username: "unconfirmed",
      });
      await fc.assert(
        fc.asyncProperty(identity, async (fields) => {
          const before = await everyRow(db);
          const result = await resolveIdentity(
            deps,
            testIdentity(fields),
            META,
          );
          if (!result.ok) {
            ok(["no_email", "email_taken"].includes(result.reason));
            deepStrictEqual(await everyRow(db), before);
            return;
          }
          match(result.user.username, /^[a-z0-9]+(?:-[a-z0-9]+)*$/);
          ok(result.user.username.length <= 24 + 7);
          const links = await listOAuthAccounts(db, result.user.id);
          ok(links.some((l) => l.providerUserId === fields.providerUserId));
          for (const l of links) {
            ok(
              l.label === null || !/[\p{Cc}\u202e]/u.test(l.label),
              l.label ?? "",
            );
          }
        }),
        { numRuns: db.engine === "sqlite" ? 150 : 40 },
      );
    } finally {
      await fixture.close();
    }
  },
);
