import { deepStrictEqual, match, ok, strictEqual } from "node:assert/strict";
import fc from "fast-check";
import { dbTest } from "../db/testing.ts";
import { createUser } from "../db/users.ts";
import {
  freeIdentityUsername,
  freeUsername,
  identityUsernameBase,
  MAX_USERNAME_BASE,
  usernameBase,
  usernameWords,
} from "./username.ts";

const SHAPE = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

/** Whole words of the local part, in order, from the first: never a cut one. */
function assertGoodBase(email: string): void {
  const base = usernameBase(email);
  match(base, SHAPE, `${JSON.stringify(email)} -> ${base}`);
  ok(base.length <= MAX_USERNAME_BASE, base);
  ok(!base.endsWith("-"), base);
  const at = email.lastIndexOf("@");
  const words = usernameWords(at === -1 ? email : email.slice(0, at));
  if (base === "user" && words[0] !== "user") {
    // Only when no word fits: none at all, or a first word that is too long.
    ok(words.length === 0 || words[0].length > MAX_USERNAME_BASE, email);
    return;
  }
  const used = base.split("-");
  deepStrictEqual(used, words.slice(0, used.length), email);
  // It stopped because the next whole word did not fit, not earlier.
  if (used.length < words.length) {
    ok(base.length + 1 + words[used.length].length > MAX_USERNAME_BASE, email);
  }
}

const localPart = fc.array(
  fc.oneof(
    fc.constantFrom(".", "-", "_", "+", "..", "é", "Ö", "ß", "ñ", "д", "😀"),
    fc.string({ unit: "grapheme-ascii", minLength: 1, maxLength: 30 }),
    fc.stringMatching(/^[a-z]{1,30}$/),
  ),
  { minLength: 0, maxLength: 8 },
).map((parts) => parts.join(""));

Deno.test("usernameBase: whole words only, never a trailing hyphen (property)", () => {
  fc.assert(fc.property(fc.emailAddress(), assertGoodBase), { numRuns: 5_000 });
  fc.assert(
    fc.property(localPart, (local) => assertGoodBase(`${local}@example.com`)),
    { numRuns: 5_000 },
  );
  fc.assert(
    fc.property(fc.string({ unit: "binary", maxLength: 60 }), assertGoodBase),
    { numRuns: 2_000 },
  );
});

Deno.test("usernameBase: examples", () => {
  strictEqual(usernameBase("Ada.Lovelace@example.com"), "ada-lovelace");
  strictEqual(usernameBase("élodie.dupont@example.fr"), "elodie-dupont");
  // 24 characters would cut "carmichael": the word is dropped whole.
  strictEqual(
    usernameBase("alexandra.catherine.carmichael@example.com"),
    "alexandra-catherine",
  );
  strictEqual(usernameBase("abcdefghijklmnopqrstuv-x@example.com").length, 24);
  strictEqual(usernameBase("a".repeat(30) + "@example.com"), "user");
  strictEqual(usernameBase("---@example.com"), "user");
  strictEqual(usernameBase("дмитрий@example.com"), "user");
});

dbTest(
  "freeUsername: taken names get a suffix that keeps the shape",
  async (db) => {
    const email = "alexandra.catherine.carmichael@example.com";
    const first = await freeUsername(db, email);
    strictEqual(first, "alexandra-catherine");
    await createUser(db, { email, username: first });
    const second = await freeUsername(db, "Alexandra.Catherine@example.org");
    match(second, /^alexandra-catherine-[0-9a-f]{6}$/);
    match(second, SHAPE);
  },
);

// The text each hint gives words from: an address-like hint its local part.
function hintText(text: string | null): string {
  if (text === null) return "";
  if (!text.includes("@")) return text;
  const lower = text.trim().toLowerCase();
  return lower.slice(0, lower.lastIndexOf("@"));
}

const anyText = fc.option(
  fc.oneof(
    fc.string({ unit: "binary", maxLength: 60 }),
    fc.string({ unit: "grapheme", maxLength: 40 }),
    localPart,
    fc.emailAddress(),
  ),
  { nil: null },
);

Deno.test("identityUsernameBase: any login, name and email give a valid username from the first hint that has a word that fits (property)", () => {
  fc.assert(
    fc.property(anyText, anyText, anyText, (login, name, email) => {
      const base = identityUsernameBase({ login, name, email });
      match(base, SHAPE, JSON.stringify({ login, name, email, base }));
      ok(base.length <= MAX_USERNAME_BASE, base);
      const source = [login, name, email].map(hintText).find((t) => {
        const first = usernameWords(t)[0];
        return first !== undefined && first.length <= MAX_USERNAME_BASE;
      });
      if (source === undefined) {
        strictEqual(base, "user");
        return;
      }
      const words = usernameWords(source);
      const used = base.split("-");
      deepStrictEqual(used, words.slice(0, used.length));
      if (used.length < words.length) {
        ok(base.length + 1 + words[used.length].length > MAX_USERNAME_BASE);
      }
    }),
    { numRuns: 5_000 },
  );
});

Deno.test("identityUsernameBase: login, then name, then the address", () => {
  const base = (
    login: string | null,
    name: string | null,
    email: string | null,
  ) => identityUsernameBase({ login, name, email });
  strictEqual(base("octocat", "The Octocat", "mona@github.com"), "octocat");
  strictEqual(base("Mona-Lisa_Octo", null, null), "mona-lisa-octo");
  strictEqual(base(null, "Ada Lovelace", "ada@example.com"), "ada-lovelace");
  strictEqual(base(null, "Élodie Dupont", null), "elodie-dupont");
  strictEqual(base("", "  ", "grace.hopper@navy.mil"), "grace-hopper");
  // Hints with no word that fits are skipped, not turned into "user".
  strictEqual(base("😀😀", "Дмитрий Иванов", "dima@example.ru"), "dima");
  strictEqual(base("x".repeat(40), "Linus", null), "linus");
  // An address given as the login yields its local part.
  strictEqual(base("Ada.L@Example.com", "Ada", null), "ada-l");
  strictEqual(base(null, null, null), "user");
  strictEqual(base("---", "Дмитрий", "дима@example.ru"), "user");
});

dbTest(
  "freeIdentityUsername: the same hints twice give two valid, different usernames an account can take",
  async (db) => {
    const hints = { login: "Octocat", name: "The Octocat", email: null };
    const taken = new Set<string>();
    for (let i = 0; i < 4; i++) {
      const name = await freeIdentityUsername(db, hints);
      match(name, i === 0 ? /^octocat$/ : /^octocat-[0-9a-f]{6}$/);
      ok(!taken.has(name));
      taken.add(name);
      await createUser(db, { email: `o${i}@example.com`, username: name });
    }
    // Taken names are found whatever their case.
    await db.run(
      "UPDATE users SET username = 'LINUS' WHERE username = 'octocat'",
    );
    match(
      await freeIdentityUsername(db, {
        login: "linus",
        name: null,
        email: null,
      }),
      /^linus-[0-9a-f]{6}$/,
    );
  },
);
