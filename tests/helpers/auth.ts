/**
 * HTTP clients for the auth tests: the app on its own temp database (built
 * in process, on either engine, or the served build where the test needs a
 * real server), and
 * a "browser" made of fetch with a hand-kept session cookie, its own client
 * address (X-Forwarded-For from a trusted proxy) and user agent.
 *
 * @module
 */
import { ok, strictEqual } from "node:assert/strict";
import { forgetSessions } from "../../lib/auth/session.ts";
import type { Db, Engine } from "../../lib/db/db.ts";
import { openDatabase } from "../../lib/db/open.ts";
import { openPostgres } from "../../lib/db/postgres.ts";
import { openSqlite } from "../../lib/db/sqlite.ts";
import type { Services } from "../../lib/services.ts";
import { ENGINES } from "../../lib/db/testing.ts";
import type { BuildFiles } from "../security/fuzz.ts";
import { buildApp } from "./app.ts";
import { startServer, type TestServer } from "./server.ts";

/** A running app with its own scratch directory. */
export interface AuthApp {
  /** The base of request URLs: `http://127.0.0.1:<port>`. */
  url: string;
  /** The `Origin` the app accepts (its APP_URL's origin). */
  origin: string;
  /** `__Host-session` when APP_URL is https, else `session`. */
  cookieName: string;
  /** The engine its database runs on. */
  engine: Engine;
  /** The SQLite file (meaningless on PostgreSQL: see {@linkcode AuthApp.openDb}). */
  dbPath: string;
  /**
   * A connection of the test's own to the app's database, on either
   * engine, open after the app is closed too (until `stop()`): for what
   * the app wrote. The caller closes it.
   */
  openDb(): Promise<Db>;
  /** A request to the app; `path` is relative to {@linkcode AuthApp.url}. */
  fetch(path: string, init?: RequestInit): Promise<Response>;
  /** What the app printed so far. */
  logs(): string;
  /** Stops the app; its database file stays, to be read. */
  close(): Promise<void>;
  /** Stops the app and removes the scratch directory (if it owns one). */
  stop(): Promise<void>;
  /** The build's routes and files, for an app built in process. */
  files?: BuildFiles;
  /** The server process, for an app from {@linkcode startServedApp}. */
  server?: TestServer;
  /** The app's own services, for an app built in process. */
  services?: Services;
}

/** The environment every test app starts with: the test is the proxy. */
const BASE_ENV = { TRUSTED_PROXIES: "127.0.0.1" };

/**
 * Builds the app in process (tests/helpers/app.ts). Every client address
 * is taken from `X-Forwarded-For` (the test process is the "trusted
 * proxy"), so each {@linkcode Client} is rate-limited on its own, as
 * separate people are. APP_URL defaults to the app's own
 * `http://localhost:<port>`.
 *
 * @example
 * ```ts
 * const app = await startApp();
 * try {
 *   const alice = new Client(app);
 * } finally {
 *   await app.stop();
 * }
 * ```
 */
export async function startApp(
  opts: { env?: Record<string, string>; dbPath?: string; engine?: Engine } = {},
): Promise<AuthApp> {
  const app = await buildApp({
    env: { ...BASE_ENV, ...opts.env },
    dbPath: opts.dbPath,
    engine: opts.engine,
  });
  return {
    ...appUrls(app.url, app.port, opts.env),
    engine: app.engine,
    dbPath: app.config.databasePath,
    openDb: () =>
      openDatabase({
        ...app.config,
        database: { ...app.config.database, poolSize: 1 },
      }),
    fetch: app.fetch,
    files: app.files,
    services: app.services,
    logs: app.logs,
    close: app.close,
    stop: app.stop,
  };
}

/**
 * Starts the built app (`_fresh/server.js`) as {@linkcode startApp} builds
 * it in process: for what only a real server shows (raw sockets, two
 * processes on one Redis).
 *
 * @example
 * ```ts
 * const app = await startServedApp({ env: { RATE_LIMITS: "off" } });
 * try {
 *   console.log(app.server?.port);
 * } finally {
 *   await app.stop();
 * }
 * ```
 */
export async function startServedApp(
  opts: { env?: Record<string, string>; dbPath?: string } = {},
): Promise<AuthApp> {
  const dir = opts.dbPath === undefined
    ? await Deno.makeTempDir({ prefix: "islet-auth-" })
    : undefined;
  const dbPath = opts.dbPath ?? `${dir}/test.db`;
  let server: TestServer;
  try {
    server = await startServer({
      env: { DATABASE_PATH: dbPath, ...BASE_ENV, ...opts.env },
    });
  } catch (err) {
    if (dir) await Deno.remove(dir, { recursive: true });
    throw err;
  }
  // DATABASE_URL in `env` puts the app on that PostgreSQL database.
  const pgUrl = opts.env?.DATABASE_URL;
  return {
    ...appUrls(server.url, server.port, opts.env),
    server,
    engine: pgUrl ? "postgres" : "sqlite",
    dbPath,
    openDb: () =>
      pgUrl
        ? openPostgres(pgUrl, { poolSize: 1 })
        : Promise.resolve(openSqlite(dbPath)),
    fetch: (path, init) => fetch(server.url + path, init),
    logs: server.logs,
    close: server.stop,
    async stop() {
      await server.stop();
      if (dir) await Deno.remove(dir, { recursive: true }).catch(() => {});
    },
  };
}

// Without APP_URL the app assumes http://localhost:<PORT>.
function appUrls(url: string, port: number, env?: Record<string, string>) {
  const appUrl = new URL(env?.APP_URL ?? `http://localhost:${port}`);
  return {
    url,
    origin: appUrl.origin,
    cookieName: appUrl.protocol === "https:" ? "__Host-session" : "session",
  };
}

/**
 * Runs `fn` against a fresh in-process app on `engine` (SQLite unless
 * told), stopped afterwards.
 *
 * @example
 * ```ts
 * await withApp(async (app) => {
 *   console.log(app.url);
 * }, { engine: "postgres" });
 * ```
 */
export async function withApp(
  fn: (app: AuthApp) => Promise<void>,
  opts: { env?: Record<string, string>; engine?: Engine } = {},
): Promise<void> {
  const app = await startApp(opts);
  try {
    await fn(app);
  } finally {
    await app.stop();
  }
}

/**
 * Registers one `Deno.test` per engine, `"<name> [sqlite]"` and
 * `"<name> [postgres]"`, each against a fresh in-process app on a
 * database of that engine.
 *
 * @example
 * ```ts
 * appTest("the health check answers", async (app) => {
 *   const res = await app.fetch("/api/health");
 *   await res.body?.cancel();
 * });
 * ```
 */
export function appTest(
  name: string,
  fn: (app: AuthApp) => Promise<void>,
  opts: { env?: Record<string, string> } = {},
): void {
  for (const engine of ENGINES) {
    Deno.test(`${name} [${engine}]`, () =>
      withApp(async (app) => {
        strictEqual(app.engine, engine, "the app runs on the engine named");
        await fn(app);
      }, { ...opts, engine }));
  }
}

let clients = 0;

/** A client address no other client of this process has. */
export function nextIp(): string {
  clients++;
  return `10.${(clients >> 16) & 255}.${(clients >> 8) & 255}.${clients & 255}`;
}

/** A fresh, valid email address. */
export function uniqueEmail(prefix = "user"): string {
  return `${prefix}-${crypto.randomUUID().slice(0, 8)}@example.com`;
}

/** A password the app accepts (long, not common, no email in it). */
export const PASSWORD = "Tulip orbit 7391 quartz!";

/** What one request answered; the body is always read. */
export interface Answer {
  status: number;
  headers: Headers;
  text: string;
  // deno-lint-ignore no-explicit-any
  json: any;
  /** The session cookie this response set (`name=value`), "" when it deleted it, null when untouched. */
  setCookie: string | null;
  /** The raw Set-Cookie line for the session cookie, if any. */
  rawSetCookie: string | null;
}

/** Options of {@linkcode Client.request}. */
export interface RequestOptions {
  json?: unknown;
  form?: Record<string, string>;
  body?: BodyInit;
  headers?: Record<string, string>;
  /** Override the cookie for this request (null: send none). */
  cookie?: string | null;
}

/**
 * One user agent: address, UA string and session cookie. Sends the
 * app's origin on every request (as a browser on the site would) and never
 * follows redirects.
 *
 * @example
 * ```ts
 * import { strictEqual } from "node:assert/strict";
 * const app = await startApp();
 * const alice = new Client(app, { userAgent: "Firefox" });
 * await alice.register("alice@example.com", PASSWORD);
 * strictEqual((await alice.get("/api/auth/me")).status, 200);
 * await app.stop();
 * ```
 */
export class Client {
  readonly ip: string;
  readonly userAgent: string;
  /** `name=value` of the session cookie, or null. */
  cookie: string | null = null;

  constructor(
    readonly app: AuthApp,
    opts: { ip?: string; userAgent?: string } = {},
  ) {
    this.ip = opts.ip ?? nextIp();
    this.userAgent = opts.userAgent ?? "islet-test/1.0";
  }

  /** The token part of the session cookie. */
  get token(): string | null {
    return this.cookie?.slice(this.cookie.indexOf("=") + 1) ?? null;
  }

  /** The session id (first part of the token). */
  get sessionId(): string | null {
    return this.token?.split(".")[0] ?? null;
  }

  async request(
    method: string,
    path: string,
    opts: RequestOptions = {},
  ): Promise<Answer> {
    const headers: Record<string, string> = {
      origin: this.app.origin,
      "x-forwarded-for": this.ip,
      "user-agent": this.userAgent,
      accept: "application/json",
    };
    let body = opts.body;
    if (opts.json !== undefined) {
      headers["content-type"] = "application/json";
      body = JSON.stringify(opts.json);
    } else if (opts.form !== undefined) {
      headers["content-type"] = "application/x-www-form-urlencoded";
      body = new URLSearchParams(opts.form).toString();
    }
    const cookie = opts.cookie === undefined ? this.cookie : opts.cookie;
    if (cookie) headers.cookie = cookie;
    Object.assign(headers, opts.headers);
    const res = await this.app.fetch(path, {
      method,
      headers,
      body,
      redirect: "manual",
    });
    const text = await res.text();
    let json = undefined;
    if ((res.headers.get("content-type") ?? "").includes("json")) {
      json = JSON.parse(text);
    }
    const raw =
      res.headers.getSetCookie().find((c) =>
        c.startsWith(`${this.app.cookieName}=`)
      ) ?? null;
    let setCookie: string | null = null;
    if (raw !== null) {
      const pair = raw.split(";")[0];
      setCookie = pair.endsWith("=") ? "" : pair;
      // Only a cookie this request chose to send is replaced, as a browser would.
      if (opts.cookie === undefined) this.cookie = setCookie || null;
    }
    return {
      status: res.status,
      headers: res.headers,
      text,
      json,
      setCookie,
      rawSetCookie: raw,
    };
  }

  get(path: string, opts?: RequestOptions): Promise<Answer> {
    return this.request("GET", path, opts);
  }

  post(path: string, opts?: RequestOptions): Promise<Answer> {
    return this.request("POST", path, opts);
  }

  delete(path: string, opts?: RequestOptions): Promise<Answer> {
    return this.request("DELETE", path, opts);
  }

  /**
   * Creates an account through the JSON API (202, no session: sign-up
   * never signs in), then signs in with it; returns the sign-in's answer
   * (200, `json.user`, the session cookie). The account stays unverified.
   */
  async register(email: string, password = PASSWORD): Promise<Answer> {
    await this.signUp(email, password);
    return await this.login(email, password);
  }

  /** Signs up through the JSON API; expects 202 and no session cookie. */
  async signUp(email: string, password = PASSWORD): Promise<Answer> {
    const a = await this.post("/api/auth/register", {
      json: { email, password },
    });
    strictEqual(a.status, 202, a.text);
    strictEqual(a.setCookie, null, "sign-up never signs in");
    return a;
  }

  /** Signs in through the JSON API; expects 200 and a cookie. */
  async login(email: string, password = PASSWORD): Promise<Answer> {
    const a = await this.post("/api/auth/login", { json: { email, password } });
    strictEqual(a.status, 200, a.text);
    ok(a.setCookie, "sign-in sets the session cookie");
    return a;
  }

  /** GET /api/auth/me's status. */
  async meStatus(): Promise<number> {
    return (await this.get("/api/auth/me")).status;
  }
}

/**
 * Makes a session's last sign-in proof older than the recent-authentication
 * window (10 minutes and a minute more), in the app's database. An app
 * built in process also forgets its cached copies, so the next request
 * reads the row; for a served app, call it right after signing in, before
 * the session is used (the server's caches cannot be reached from here).
 *
 * @example
 * ```ts
 * declare const app: AuthApp;
 * declare const alice: Client;
 * await ageSession(app, alice);
 * await ageSession(app, "session-id");
 * ```
 */
export async function ageSession(
  app: AuthApp,
  session: Client | string,
): Promise<void> {
  const id = typeof session === "string" ? session : session.sessionId;
  ok(id, "signed in");
  const db = app.services?.db ?? await app.openDb();
  try {
    const { changes } = await db.run(
      "UPDATE sessions SET authenticated_at = ? WHERE id = ?",
      [Date.now() - 11 * 60_000, id],
    );
    strictEqual(changes, 1, "the session exists");
  } finally {
    if (db !== app.services?.db) await db.close();
  }
  // Not deleted, but every cached copy must go for the row to be re-read.
  if (app.services) await forgetSessions(app.services.sessions, [id]);
}

/**
 * Asserts the JSON error shape of design.md: `{ success: false, error }`.
 *
 * @example
 * ```ts
 * declare const alice: Client;
 * const answer = await alice.get("/api/auth/me");
 * assertJsonError(answer, 401);
 * ```
 */
export function assertJsonError(a: Answer, status: number): void {
  strictEqual(a.status, status, a.text);
  ok(
    (a.headers.get("content-type") ?? "").includes("application/json"),
    `JSON content type for ${status}, got ${a.headers.get("content-type")}`,
  );
  strictEqual(a.json.success, false);
  strictEqual(typeof a.json.error, "string");
  ok(a.json.error.length > 0);
}
