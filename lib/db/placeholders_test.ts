import assert from "node:assert/strict";
import fc from "fast-check";
import { toPostgresPlaceholders as pg } from "./placeholders.ts";

Deno.test("placeholders: bare ? count up, ?NNN keep their number", () => {
  assert.equal(pg("SELECT 1"), "SELECT 1");
  assert.equal(
    pg("INSERT INTO t (a, b, c) VALUES (?, ?, ?)"),
    "INSERT INTO t (a, b, c) VALUES ($1, $2, $3)",
  );
  assert.equal(pg("x = ?1 OR y = ?1"), "x = $1 OR y = $1");
  assert.equal(pg("?2 ?1 ?10"), "$2 $1 $10");
  // SQLite's rule: a bare ? is one past the largest number so far.
  assert.equal(pg("?2, ?, ?1, ?"), "$2, $3, $1, $4");
  assert.equal(pg("a=?AND b=?"), "a=$1AND b=$2");
  assert.equal(pg("(?,?)"), "($1,$2)");
});

Deno.test("placeholders: ? inside literals, identifiers and comments is text", () => {
  assert.equal(pg("SELECT 'it''s ?', ?"), "SELECT 'it''s ?', $1");
  assert.equal(
    pg(`SELECT "col?""x" FROM t WHERE a = ?`),
    `SELECT "col?""x" FROM t WHERE a = $1`,
  );
  assert.equal(pg("SELECT ? -- why?\n, ?"), "SELECT $1 -- why?\n, $2");
  assert.equal(pg("SELECT ? -- to the end?"), "SELECT $1 -- to the end?");
  assert.equal(pg("SELECT /* ? */ ?"), "SELECT /* ? */ $1");
  assert.equal(pg("SELECT /* a /* ? */ ? */ ?"), "SELECT /* a /* ? */ ? */ $1");
  assert.equal(pg("SELECT E'\\'?', ?"), "SELECT E'\\'?', $1");
  // Not an E string: a backslash is plain text in a standard literal.
  assert.equal(pg("SELECT '\\', ?"), "SELECT '\\', $1");
  assert.equal(pg("SELECT $$ ? $$, ?"), "SELECT $$ ? $$, $1");
  assert.equal(
    pg("SELECT $fn$ ? $x$ ? $fn$, ?"),
    "SELECT $fn$ ? $x$ ? $fn$, $1",
  );
  // A $ inside a word is part of the identifier, not a dollar quote.
  assert.equal(
    pg("SELECT a$b$ FROM t WHERE x = ?"),
    "SELECT a$b$ FROM t WHERE x = $1",
  );
  // Unterminated: the rest is inside, nothing is invented.
  assert.equal(pg("SELECT 'open ?"), "SELECT 'open ?");
  assert.equal(pg("SELECT /* open ?"), "SELECT /* open ?");
});

Deno.test("placeholders: memoised per text", () => {
  const text = `SELECT ? AS memo_${crypto.randomUUID().replaceAll("-", "")}`;
  const first = pg(text);
  assert.equal(pg(text), first);
  // Many other texts later (past the bound), the answer is still right.
  for (let i = 0; i < 1_500; i++) pg(`SELECT ? + ${i}`);
  assert.equal(pg(text), first);
});

/** A piece of SQL and what it must become. */
type Piece = { text: string; placeholder?: number | "bare" };

const chars = (alphabet: string, max = 12) =>
  fc.array(fc.constantFrom(...alphabet), { maxLength: max }).map((a) =>
    a.join("")
  );
// Plain text: no quote, comment, dollar or placeholder starts; words and digits.
const plain = chars("abcXYZ019 ,()=<>.;\n\t_é", 16);
// Inside literals and comments, everything special is fair game but the
// closer of that context.
const inside = "ab ?1$'\"-*/\n,é";
const piece: fc.Arbitrary<Piece> = fc.oneof(
  plain.map((text) => ({ text })),
  fc.constant<Piece>({ text: "?", placeholder: "bare" }),
  fc.integer({ min: 1, max: 300 }).map((n) => ({
    text: `?${n}`,
    placeholder: n,
  })),
  chars(inside.replaceAll("'", "")).map((s) => ({ text: `'${s}'` })),
  chars(inside).map((s) => ({ text: `'${s.replaceAll("'", "''")}'` })),
  chars(inside).map((s) => ({ text: `"${s.replaceAll('"', '""')}"` })),
  chars(inside.replace("\n", "")).map((s) => ({ text: `--${s}\n` })),
  chars(inside.replace("*", "").replace("/", "")).map((s) => ({
    text: `/*${s}*/`,
  })),
  chars(inside.replace("*", "").replace("/", "")).map((s) => ({
    text: `/* /*${s}*/ ${s} */`,
  })),
  chars(inside.replace("$", "")).map((s) => ({ text: `$$${s}$$` })),
  chars(inside.replace("$", "")).map((s) => ({ text: `$q$${s}$q$` })),
);
// A space after each piece keeps a digit from joining the placeholder
// before it (`?` + `1` would be `?1`) and a plain `E` from making the next
// literal an escape string.
const statement = fc.array(piece, { maxLength: 25 });
const join = (pieces: Piece[], each: (p: Piece) => string) =>
  pieces.map((p) => each(p) + " ").join("");

Deno.test("placeholders (property): text outside placeholders is preserved, numbering follows SQLite", () => {
  fc.assert(
    fc.property(statement, (pieces) => {
      let largest = 0;
      const expected = join(pieces, (p) => {
        if (p.placeholder === undefined) return p.text;
        const n = p.placeholder === "bare" ? largest + 1 : p.placeholder;
        largest = Math.max(largest, n);
        return `$${n}`;
      });
      assert.equal(pg(join(pieces, (p) => p.text)), expected);
    }),
    { numRuns: 500 },
  );
});

Deno.test("placeholders (property): bare ? are numbered 1, 2, 3... in order", () => {
  const bareAndPlain = fc.array(
    fc.oneof(plain, fc.constant("?")),
    { maxLength: 30 },
  );
  fc.assert(
    fc.property(bareAndPlain, (parts) => {
      const out = pg(parts.map((p) => p + " ").join(""));
      const numbers = [...out.matchAll(/\$(\d+)/g)].map((m) => Number(m[1]));
      const count = parts.filter((p) => p === "?").length;
      assert.deepEqual(numbers, Array.from({ length: count }, (_, i) => i + 1));
      assert.equal(out.includes("?"), false);
    }),
    { numRuns: 300 },
  );
});
