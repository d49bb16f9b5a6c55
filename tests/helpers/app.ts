/**
 * The app built in process, as Fresh's own tests build theirs: the same
 * middleware chain and file routes as the production server (`createApp`
 * from `app.ts`), an in-memory build of the routes and islands, its own
 * database (a SQLite file, or a PostgreSQL database made for it) and cache,
 * and a `fetch` that calls the handler directly.
 * No port, no subprocess: what only the served build shows (build output,
 * static files, start-up errors, raw sockets) is tested in
 * `tests/helpers/server.ts`'s way instead.
 *
 * @module
 */
import * as path from "node:path";
import { App } from "fresh";
import { Builder } from "fresh/dev";
// Only to list the files of the in-memory build (see buildFiles below).
import { getBuildCache } from "../../lib/fresh/app.ts";
import { createApp } from "../../app.ts";
import { dummyVerify } from "../../lib/auth/password.ts";
import { type Config, loadConfig } from "../../lib/config.ts";
import type { Engine } from "../../lib/db/db.ts";
import { createPgDatabase, dropPgDatabase } from "../../lib/db/testing.ts";
import { createServices, type Services } from "../../lib/services.ts";
import type { State } from "../../utils.ts";
import type { BuildFiles } from "../security/fuzz.ts";
import { TEST_ENCRYPTION_KEY } from "./encryption_key.ts";

const ROOT = new URL("../..", import.meta.url).pathname;
/** The port the in-process app believes it serves on (PORT in its config). */
const PORT = 8000;

/** An app built in process, answering through {@linkcode InProcessApp.fetch}. */
export interface InProcessApp {
  /** `http://127.0.0.1:<PORT>`: the base of the request URLs it is given. */
  url: string;
  /** The PORT in its config: first-run origins are the local ones of it. */
  port: number;
  /** The engine its database runs on. */
  engine: Engine;
  config: Config;
  services: Services;
  /** Its build's file routes and files (static/ and the client chunks). */
  files: BuildFiles;
  /**
   * Calls the handler with `path` (or a full URL) as a server would:
   * the client address is `remoteAddr` (default 127.0.0.1), redirects
   * are followed unless `redirect: "manual"` (as `fetch` does).
   */
  fetch(
    path: string,
    init?: RequestInit & { remoteAddr?: string },
  ): Promise<Response>;
  /** The warnings and errors printed since it was built. */
  logs(): string;
  /** Closes its services; the database stays, to be read. */
  close(): Promise<void>;
  /**
   * Closes it and removes its scratch directory (if it owns one) or its
   * PostgreSQL database.
   */
  stop(): Promise<void>;
}

type Snapshot = { apply: (app: App<State>) => void; files: BuildFiles };

// One build per test module: the routes and islands do not change while
// tests run, and building is the slow part. No Tailwind: stylesheets are
// the served build's business (tests/http/app_test.ts).
let snapshot: Promise<Snapshot> | undefined;
function build(): Promise<Snapshot> {
  snapshot ??= (async () => {
    const apply = await new Builder({ root: ROOT }).build({
      snapshot: "memory",
      mode: "production",
    });
    return { apply, files: await buildFiles(apply) };
  })();
  return snapshot;
}

/**
 * What a disk build lists in its snapshot (the fuzz and header tests
 * sample every route and file): file routes, the files of static/ and
 * every client chunk.
 */
async function buildFiles(apply: Snapshot["apply"]): Promise<BuildFiles> {
  let routes: string[] = [];
  const files = new Set<string>();
  const walk = async (dir: string) => {
    for await (const e of Deno.readDir(dir)) {
      const full = path.join(dir, e.name);
      if (e.isDirectory) await walk(full);
      else if (e.isFile) {
        files.add("/" + path.relative(`${ROOT}static`, full));
      }
    }
  };
  await walk(`${ROOT}static`);
  const probe = new App<State>();
  apply(probe);
  probe.get("/", (ctx) => {
    const cache = getBuildCache(ctx);
    if (cache === null) throw new Error("the build was not applied");
    routes = cache.fsRoutes.map((r) => r.path);
    for (const f of [cache.clientEntry, ...cache.clientEntryImports]) {
      files.add(f);
    }
    for (const island of cache.islands.values()) {
      for (const f of [island.file, ...island.imports]) files.add(f);
    }
    return new Response();
  });
  await probe.handler()(new Request("http://localhost/"));
  return { routes, statics: [...files] };
}

/**
 * Builds the app in process on a temp database: a SQLite file (at
 * `dbPath`, or in a scratch directory), or with `engine: "postgres"` a
 * migrated PostgreSQL database of its own (`DATABASE_URL`), dropped by
 * `stop()`. `env` is read as the server would read its environment (over
 * this process's, whose `DATABASE_URL` is ignored), with `PORT` and
 * `HOSTNAME` set for it, and `ENCRYPTION_KEY` (the test process's
 * {@linkcode TEST_ENCRYPTION_KEY}; `""` for none).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const app = await buildApp({ env: { RATE_LIMITS: "off" } });
 * try {
 *   const res = await app.fetch("/api/health");
 *   assert.equal(res.status, 200);
 *   await res.body?.cancel();
 * } finally {
 *   await app.stop();
 * }
 * ```
 */
export async function buildApp(
  opts: {
    env?: Record<string, string>;
    dbPath?: string;
    engine?: Engine;
    /** As `deno task dev` runs it, or (default) as the production build. */
    mode?: "development" | "production";
  } = {},
): Promise<InProcessApp> {
  const { apply, files } = await build();
  const engine = opts.engine ?? "sqlite";
  const dir = engine === "sqlite" && opts.dbPath === undefined
    ? await Deno.makeTempDir({ prefix: "islet-app-" })
    : undefined;
  const dbUrl = engine === "postgres" ? await createPgDatabase(true) : null;
  // Mail of an app without SMTP_URL goes to an outbox folder of its own,
  // never the checkout's data/outbox.
  const mailDir = await Deno.makeTempDir({ prefix: "islet-mail-" });
  // Every app has a database of its own, whatever this process was given.
  const { DATABASE_URL: _, ...inherited } = Deno.env.toObject();
  const log = captureConsole();
  let services: Services;
  try {
    const config = loadConfig({
      ...inherited,
      HOSTNAME: "127.0.0.1",
      PORT: String(PORT),
      ...(dbUrl === null
        ? { DATABASE_PATH: opts.dbPath ?? `${dir}/test.db` }
        : { DATABASE_URL: dbUrl }),
      MAIL_OUTBOX_DIR: `${mailDir}/outbox`,
      // Two-factor on, as a configured production has it.
      ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
      ...opts.env,
    });
    services = await createServices(config, {
      development: opts.mode === "development",
    });
    // As main.ts does at start-up: the first unknown-email sign-in is as
    // slow as any other.
    await dummyVerify();
  } catch (err) {
    log.release();
    if (dir) await Deno.remove(dir, { recursive: true }).catch(() => {});
    await Deno.remove(mailDir, { recursive: true }).catch(() => {});
    if (dbUrl !== null) await dropPgDatabase(dbUrl);
    throw err;
  }
  const app = createApp(services);
  apply(app);
  // What the dev server's Builder sets after importing the app.
  if (opts.mode !== undefined) app.config.mode = opts.mode;
  const handler = app.handler();
  const url = `http://127.0.0.1:${PORT}`;

  const fetchApp = async (
    path: string,
    init: RequestInit & { remoteAddr?: string } = {},
  ): Promise<Response> => {
    const { remoteAddr = "127.0.0.1", ...rest } = init;
    // Concatenated, not resolved: "//x" is a path here, as in a request line.
    let req = new Request(path.startsWith("/") ? url + path : path, rest);
    for (let hops = 0;; hops++) {
      const res = await handler(req, infoFrom(remoteAddr));
      const location = res.headers.get("location");
      if (
        rest.redirect === "manual" || location === null ||
        ![301, 302, 303, 307, 308].includes(res.status) || hops === 20
      ) {
        return res;
      }
      await res.body?.cancel();
      // As fetch follows: 303 (and a POST's 301/302) becomes a bodiless GET.
      const keep = res.status === 307 || res.status === 308;
      req = new Request(new URL(location, req.url), {
        method: keep ? req.method : "GET",
        headers: req.headers,
        body: keep ? rest.body : undefined,
      });
    }
  };

  let closed: Promise<void> | undefined;
  const close = () =>
    closed ??= (async () => {
      log.release();
      await services.close();
    })();
  let stopped: Promise<void> | undefined;
  return {
    url,
    port: PORT,
    engine: services.db.engine,
    config: services.config,
    services,
    files,
    fetch: fetchApp,
    logs: log.text,
    close,
    stop() {
      stopped ??= (async () => {
        await close();
        if (dir) await Deno.remove(dir, { recursive: true }).catch(() => {});
        await Deno.remove(mailDir, { recursive: true }).catch(() => {});
        if (dbUrl !== null) await dropPgDatabase(dbUrl);
      })();
      return stopped;
    },
  };
}

/** The connection info Deno.serve hands the handler, for a TCP client at `ip`. */
function infoFrom(ip: string): Deno.ServeHandlerInfo<Deno.NetAddr> {
  return {
    remoteAddr: { transport: "tcp", hostname: ip, port: 40_000 },
    completed: Promise.resolve(),
  };
}

// Every app of this module that is not stopped keeps a copy of the
// warnings and errors printed, as a server's log would (the app reports
// failed requests there), and they are not printed, as the server's were
// not. console.log stays the test's own.
const sinks = new Set<string[]>();
const METHODS = ["warn", "error"] as const;
const originals = Object.fromEntries(
  METHODS.map((m) => [m, console[m]]),
) as Record<(typeof METHODS)[number], (...args: unknown[]) => void>;

function captureConsole(): { text(): string; release(): void } {
  const sink: string[] = [];
  if (sinks.size === 0) {
    for (const m of METHODS) {
      console[m] = (...args: unknown[]) => {
        const line = args.map((a) =>
          typeof a === "string" ? a : Deno.inspect(a)
        ).join(" ");
        for (const s of sinks) s.push(line + "\n");
      };
    }
  }
  sinks.add(sink);
  return {
    text: () => sink.join(""),
    release() {
      if (!sinks.delete(sink) || sinks.size > 0) return;
      for (const m of METHODS) console[m] = originals[m];
    },
  };
}
