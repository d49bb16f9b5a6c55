/**
 * Sending fuzz requests to the built app and judging the answers: no 5xx,
 * the JSON error shape under /api/, nothing leaked, and a tally of what
 * came back.
 *
 * @module
 */
import { DatabaseSync } from "node:sqlite";
import { type AppMap, describe, type FuzzRequest } from "./fuzz.ts";

const ROOT = new URL("../..", import.meta.url).pathname.replace(/\/$/, "");

/** What a fuzz pass saw. */
export interface Tally {
  requests: number;
  /** Count per status code. */
  statuses: Map<number, number>;
  /** What the 404 answers under /api/ were: "json error" or their content type. */
  api404Types: Map<string, number>;
  /** Requests fetch itself refused to send (never reached the server). */
  clientRefused: Map<string, number>;
  failures: string[];
}

/** An empty tally. */
export function newTally(): Tally {
  return {
    requests: 0,
    statuses: new Map(),
    api404Types: new Map(),
    clientRefused: new Map(),
    failures: [],
  };
}

function bump<K>(m: Map<K, number>, k: K): void {
  m.set(k, (m.get(k) ?? 0) + 1);
}

/**
 * Text that must never reach a client: stack frames, paths of the source
 * tree, password hashes, column names of secrets.
 */
export const LEAKS: RegExp[] = [
  /\bat [^\s()]+ \((?:file|ext|node):/,
  /\bat (?:async )?\S*\s*\(?(?:file:\/\/|\/)[^\s)]*\.[jt]sx?:\d+:\d+/,
  new RegExp(ROOT.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")),
  /file:\/\//,
  /\$argon2id?\$/,
  /\b(?:password_hash|secret_hash|totp_secret_encrypted)\b/,
  /\b(?:TypeError|ReferenceError|RangeError|SyntaxError): /,
  /node_modules\//,
];

/** The first leak found in `text`, or null. */
export function findLeak(text: string): string | null {
  for (const re of LEAKS) {
    const m = re.exec(text);
    if (m) return `${re} matched ${JSON.stringify(m[0].slice(0, 80))}`;
  }
  return null;
}

/** Whether fetch refused to send (a client-side limit, not the server). */
function clientSide(err: unknown): string | null {
  const msg = err instanceof Error ? err.message : String(err);
  if (/ByteString|invalid header|Failed to construct|not a valid/i.test(msg)) {
    return msg.replace(/\s+/g, " ").slice(0, 80);
  }
  return null;
}

/** How requests reach the app: `path` is the path and query. */
export type Send = (path: string, init: RequestInit) => Promise<Response>;

/**
 * Sends one request and checks its answer, recording into `tally`.
 * `index` and `seed` go into failure messages so the case can be re-run.
 */
export async function sendAndCheck(
  send: Send,
  r: FuzzRequest,
  tally: Tally,
  where: string,
): Promise<void> {
  tally.requests++;
  const fail = (why: string) =>
    tally.failures.push(`${where}: ${why}\n    ${describe(r)}`);
  let res: Response;
  try {
    res = await send(r.path, {
      method: r.method,
      headers: r.headers,
      body: r.body.body,
      redirect: "manual",
      signal: AbortSignal.timeout(15_000),
    });
  } catch (err) {
    const refused = clientSide(err);
    if (refused !== null) {
      bump(tally.clientRefused, refused);
      return;
    }
    fail(`no answer: ${err instanceof Error ? err.message : err}`);
    return;
  }
  const text = await res.text();
  bump(tally.statuses, res.status);
  if (res.status >= 500) {
    fail(`${res.status}: ${text.slice(0, 200)}`);
    return;
  }
  const type = res.headers.get("content-type") ?? "";
  const pathname = new URL("http://x" + r.path).pathname;
  if (
    pathname.startsWith("/api/") && res.status >= 400 && r.method !== "HEAD"
  ) {
    let shape = false;
    if (type.includes("application/json")) {
      try {
        const body = JSON.parse(text);
        shape = body?.success === false && typeof body.error === "string" &&
          body.error.length > 0;
      } catch { /* not JSON after all */ }
    }
    if (res.status === 404) {
      bump(tally.api404Types, shape ? "json error" : type || "(none)");
    }
    if (!shape) {
      fail(
        `${res.status} under /api/ is not {success:false,error} JSON ` +
          `(${type || "no content type"}): ${text.slice(0, 120)}`,
      );
    }
  }
  if (res.status === 429 && !res.headers.has("retry-after")) {
    fail("429 without Retry-After");
  }
  if (res.status >= 400) {
    const leak = findLeak(text);
    if (leak) fail(`${res.status} leaks: ${leak}`);
  }
}

/** Runs `requests` with at most `width` in flight, in order of index. */
export async function runBatched<T>(
  items: T[],
  width: number,
  run: (item: T, index: number) => Promise<void>,
  between?: () => Promise<void>,
): Promise<void> {
  for (let start = 0; start < items.length; start += width) {
    if (between) await between();
    await Promise.all(
      items.slice(start, start + width).map((it, i) => run(it, start + i)),
    );
  }
}

/**
 * Asks every route for its methods (`OPTIONS` answers with `Allow`), so
 * the fuzz mostly reaches handlers rather than the 405.
 */
export async function probeMethods(
  send: Send,
  map: AppMap,
  cookie: string | null,
): Promise<void> {
  map.allow = {};
  for (const route of map.routes) {
    const res = await send(route.replace(/:[^/]+/g, "x"), {
      method: "OPTIONS",
      headers: cookie ? { cookie } : {},
      redirect: "manual",
    });
    await res.body?.cancel();
    map.allow[route] = (res.headers.get("allow") ?? "").split(/,\s*/)
      .filter((m) => m !== "");
  }
}

/** A human summary of a tally. */
export function summary(t: Tally): string {
  const sorted = (m: Map<string | number, number>) =>
    [...m].sort(([a], [b]) => String(a).localeCompare(String(b))).map((
      [k, v],
    ) => `${k}×${v}`).join(" ");
  return [
    `requests: ${t.requests}`,
    `statuses: ${sorted(t.statuses)}`,
    `404 under /api/: ${sorted(t.api404Types) || "none"}`,
    `refused by fetch: ${sorted(t.clientRefused) || "none"}`,
    `failures: ${t.failures.length}`,
  ].join("\n  ");
}

/**
 * Half-written rows, in the database of a stopped server: every user has
 * preferences, every session and token a user, foreign keys hold, the file
 * is intact, recorded user agents are bounded.
 */
export function databaseProblems(path: string): string[] {
  const db = new DatabaseSync(path, { readOnly: true });
  try {
    const problems: string[] = [];
    const count = (sql: string) =>
      Number((db.prepare(sql).get() as { n: number }).n);
    const checks: [string, string][] = [
      [
        "users without a preferences row",
        "SELECT count(*) AS n FROM users u LEFT JOIN preferences p ON p.user_id = u.id WHERE p.user_id IS NULL",
      ],
      [
        "sessions without a user",
        "SELECT count(*) AS n FROM sessions s LEFT JOIN users u ON u.id = s.user_id WHERE u.id IS NULL",
      ],
      [
        "preferences without a user",
        "SELECT count(*) AS n FROM preferences p LEFT JOIN users u ON u.id = p.user_id WHERE u.id IS NULL",
      ],
      [
        "users with an empty or over-long email",
        "SELECT count(*) AS n FROM users WHERE length(email) = 0 OR length(email) > 320",
      ],
      [
        "sessions with an unbounded user agent",
        "SELECT count(*) AS n FROM sessions WHERE length(user_agent) > 512",
      ],
      [
        "audit rows with an unbounded user agent",
        "SELECT count(*) AS n FROM audit_log WHERE length(user_agent) > 512",
      ],
    ];
    for (const [what, sql] of checks) {
      const n = count(sql);
      if (n > 0) problems.push(`${n} ${what}`);
    }
    const fk = db.prepare("PRAGMA foreign_key_check").all();
    if (fk.length > 0) {
      problems.push(`foreign_key_check: ${JSON.stringify(fk)}`);
    }
    const integrity = db.prepare("PRAGMA integrity_check").all() as {
      integrity_check: string;
    }[];
    if (integrity[0]?.integrity_check !== "ok") {
      problems.push(`integrity_check: ${JSON.stringify(integrity)}`);
    }
    return problems;
  } finally {
    db.close();
  }
}

/** Lines of a server log that show a request went wrong inside the app. */
export function badLogLines(log: string): string[] {
  return log.split("\n").filter((l) =>
    /Error handling|Uncaught|panicked|unhandled/i.test(l)
  );
}
