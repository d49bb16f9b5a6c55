/**
 * The port's `?` placeholders in PostgreSQL's `$n` form: query modules
 * write one SQL text for both engines, and the PostgreSQL engine rewrites it
 * here before preparing it.
 *
 * Numbering follows SQLite's rule, so one text means the same on both
 * engines: `?NNN` is parameter NNN, and a bare `?` is one more than the
 * largest number assigned so far (plain `?`s count 1, 2, 3...). A `?`
 * inside a string literal (`'it''s ?'`, `E'\'?'`, `$$?$$`), a quoted
 * identifier (`"a?"`) or a comment (`-- ?`, nested `/* ? *\/`) is text and
 * stays as it is. PostgreSQL's own `?` operators (jsonb `?`, `?|`, `?&`)
 * cannot be written through the port: spell them as functions
 * (`jsonb_exists`).
 *
 * @module
 */

/** Rewritten texts by original: the app has a few dozen statements. */
const cache = new Map<string, string>();
/** Bounds the cache if something builds SQL texts dynamically. */
const CACHE_LIMIT = 1_000;

/**
 * `sql` with its `?` placeholders as `$n`, memoised per text.
 *
 * @example
 * ```ts
 * toPostgresPlaceholders("SELECT * FROM t WHERE a = ? AND b = ?");
 * // "SELECT * FROM t WHERE a = $1 AND b = $2"
 * toPostgresPlaceholders("UPDATE t SET x = ?1 WHERE x < ?1 OR note = '?'");
 * // "UPDATE t SET x = $1 WHERE x < $1 OR note = '?'"
 * ```
 */
export function toPostgresPlaceholders(sql: string): string {
  let converted = cache.get(sql);
  if (converted === undefined) {
    converted = convert(sql);
    if (cache.size >= CACHE_LIMIT) {
      // Oldest first (a Map keeps insertion order): a dynamic text evicts
      // another dynamic text sooner than the long-lived statements.
      cache.delete(cache.keys().next().value!);
    }
    cache.set(sql, converted);
  }
  return converted;
}

const isDigit = (c: string) => c >= "0" && c <= "9";
const isIdentStart = (c: string) => /[A-Za-z_\u0080-\uffff]/.test(c);
const isIdentChar = (c: string) => /[A-Za-z0-9_$\u0080-\uffff]/.test(c);

function convert(sql: string): string {
  let out = "";
  let largest = 0;
  let i = 0;
  const n = sql.length;
  /** Copies sql[i, end) and moves past it. */
  const copyTo = (end: number) => {
    out += sql.slice(i, end);
    i = end;
  };
  while (i < n) {
    const c = sql[i];
    if (c === "?") {
      let end = i + 1;
      while (end < n && isDigit(sql[end])) end++;
      const number = end > i + 1 ? Number(sql.slice(i + 1, end)) : largest + 1;
      largest = Math.max(largest, number);
      out += `$${number}`;
      i = end;
    } else if (c === "'") {
      // E'...' strings allow backslash escapes, so `E'\'?'` is one
      // literal; the E must be a word of its own (not the end of `type`).
      const escapes = i > 0 && (sql[i - 1] === "E" || sql[i - 1] === "e") &&
        (i < 2 || !isIdentChar(sql[i - 2]));
      copyTo(quotedEnd(sql, i, "'", escapes));
    } else if (c === '"') {
      copyTo(quotedEnd(sql, i, '"', false));
    } else if (c === "-" && sql[i + 1] === "-") {
      const newline = sql.indexOf("\n", i);
      copyTo(newline === -1 ? n : newline + 1);
    } else if (c === "/" && sql[i + 1] === "*") {
      copyTo(blockCommentEnd(sql, i));
    } else if (c === "$" && (i === 0 || !isIdentChar(sql[i - 1]))) {
      const tag = dollarTag(sql, i);
      if (tag === null) {
        copyTo(i + 1);
      } else {
        const close = sql.indexOf(tag, i + tag.length);
        copyTo(close === -1 ? n : close + tag.length);
      }
    } else if (isIdentStart(c)) {
      // A whole word at once, so a `$` inside it (legal in PostgreSQL
      // identifiers) is never taken for a dollar quote.
      let end = i + 1;
      while (end < n && isIdentChar(sql[end])) end++;
      copyTo(end);
    } else {
      copyTo(i + 1);
    }
  }
  return out;
}

/**
 * Where the literal opened by `quote` at `start` ends (past the closing
 * quote; the end of text if unterminated). A doubled quote is the quote
 * itself; with `escapes`, so is a backslash-escaped one.
 */
function quotedEnd(
  sql: string,
  start: number,
  quote: string,
  escapes: boolean,
): number {
  let i = start + 1;
  while (i < sql.length) {
    const c = sql[i];
    if (escapes && c === "\\") {
      i += 2;
    } else if (c === quote) {
      if (sql[i + 1] === quote) i += 2;
      else return i + 1;
    } else {
      i++;
    }
  }
  return sql.length;
}

/** The end of the `/* *\/` comment at `start`: PostgreSQL's nest. */
function blockCommentEnd(sql: string, start: number): number {
  let depth = 0;
  let i = start;
  while (i < sql.length) {
    if (sql[i] === "/" && sql[i + 1] === "*") {
      depth++;
      i += 2;
    } else if (sql[i] === "*" && sql[i + 1] === "/") {
      depth--;
      i += 2;
      if (depth === 0) return i;
    } else {
      i++;
    }
  }
  return sql.length;
}

/** The dollar-quote tag (`$$`, `$body$`) at `start`, or null if there is none. */
function dollarTag(sql: string, start: number): string | null {
  let i = start + 1;
  if (sql[i] === "$") return "$$";
  if (i >= sql.length || !isIdentStart(sql[i])) return null;
  while (i < sql.length && sql[i] !== "$") {
    if (!isIdentChar(sql[i])) return null;
    i++;
  }
  return i < sql.length ? sql.slice(start, i + 1) : null;
}
