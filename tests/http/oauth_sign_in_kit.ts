/**
 * The browser side of Islet's provider flows for the in-process tests: a
 * {@linkcode Client} that also keeps the flow cookie, and the three hops of
 * a flow (start at Islet, the person at the provider through the
 * stand-ins' drivers, the callback at Islet).
 *
 * @module
 */
import { deepStrictEqual, ok, strictEqual } from "node:assert/strict";
import { type Answer, type AuthApp, Client } from "../helpers/auth.ts";
import type { Db } from "../../lib/db/db.ts";
import { listOutbox } from "../../lib/email/dev_outbox.ts";

/** The flow cookie's name on the tests' plain-HTTP app. */
export const FLOW_COOKIE = "oauth";

/** How the person answers at the provider: drive its pages, return the callback URL. */
export type Driver = (
  authorizationUrl: URL,
  login: string,
  opts?: { deny?: boolean },
) => Promise<URL>;

/**
 * A client that keeps the flow cookie beside the session cookie, as a
 * browser would.
 */
export class FlowClient extends Client {
  /** `oauth=<value>`, or null. */
  flow: string | null = null;

  constructor(app: AuthApp, opts: { ip?: string; userAgent?: string } = {}) {
    super(app, opts);
  }

  /** A GET sending both cookies and keeping what the answer sets for either. */
  async visit(
    path: string,
    headers: Record<string, string> = {},
  ): Promise<Answer> {
    const cookie = [this.cookie, this.flow].filter((c) => c !== null).join(
      "; ",
    );
    const a = await this.get(path, {
      cookie: cookie === "" ? null : cookie,
      headers: { accept: "text/html", ...headers },
    });
    if (a.setCookie !== null) this.cookie = a.setCookie || null;
    const flow = a.headers.getSetCookie().find((c) =>
      c.startsWith(`${FLOW_COOKIE}=`)
    );
    if (flow !== undefined) {
      const pair = flow.split(";")[0];
      this.flow = pair === `${FLOW_COOKIE}=` || /Max-Age=0/i.test(flow)
        ? null
        : pair;
    }
    return a;
  }

  /** Starts a flow: expects the 303 to the provider; returns its URL. */
  async start(path: string, headers?: Record<string, string>): Promise<URL> {
    const a = await this.visit(path, headers);
    strictEqual(a.status, 303, `${path}: ${a.text}`);
    ok(this.flow, "the start sets the flow cookie");
    return new URL(a.headers.get("location")!);
  }

  /** Follows the provider's redirect back to Islet's callback. */
  callback(url: URL): Promise<Answer> {
    return this.visit(url.pathname + url.search);
  }

  /** A whole flow: start, the provider's pages as `login`, the callback. */
  async flowThrough(
    path: string,
    drive: Driver,
    login: string,
    opts: { deny?: boolean; headers?: Record<string, string> } = {},
  ): Promise<Answer> {
    const at = await this.start(path, opts.headers);
    const back = await drive(at, login, { deny: opts.deny });
    return await this.callback(back);
  }
}

/**
 * What a test compares before and after a refused flow: every table's
 * rows, but for the mail outbox (the app's deliverer sends and removes
 * its rows in the background) only which rows there are.
 */
export interface Snapshot {
  tables: string;
  outbox: string[];
}

/** Every table's rows now. */
export async function snapshotTables(app: AuthApp): Promise<Snapshot> {
  const db = await app.openDb();
  try {
    const out: Record<string, unknown[]> = {};
    let outbox: string[] = [];
    for (const table of await tableNames(db)) {
      if (table === "email_outbox") {
        outbox = (await db.all("SELECT id FROM email_outbox")).map((r) =>
          String(r.id)
        );
        continue;
      }
      out[table] = await db.all(`SELECT * FROM ${table} ORDER BY 1`);
    }
    return {
      tables: JSON.stringify(
        out,
        (_k, v) => typeof v === "bigint" ? `${v}` : v,
      ),
      outbox,
    };
  } finally {
    await db.close();
  }
}

/** Asserts nothing was written since `before`: same rows, no new mail. */
export async function assertUnchanged(
  app: AuthApp,
  before: Snapshot,
  label = "nothing written",
): Promise<void> {
  const after = await snapshotTables(app);
  strictEqual(after.tables, before.tables, label);
  const queued = after.outbox.filter((id) => !before.outbox.includes(id));
  deepStrictEqual(queued, [], `${label}: no mail queued`);
}

async function tableNames(db: Db): Promise<string[]> {
  const rows = db.engine === "postgres"
    ? await db.all(
      "SELECT tablename AS name FROM pg_tables WHERE schemaname = current_schema() ORDER BY 1",
    )
    : await db.all(
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY 1",
    );
  return rows.map((r) => String(r.name));
}

/** Rows of a query on the app's database. */
export async function rows(
  app: AuthApp,
  sql: string,
  params: unknown[] = [],
): Promise<Record<string, unknown>[]> {
  const db = await app.openDb();
  try {
    return await db.all(sql, params as never);
  } finally {
    await db.close();
  }
}

/**
 * The subjects of the mail to `to` so far: queued (the outbox table) or
 * delivered (the app's outbox folder), waiting up to 5 s for one that
 * matches `subject`.
 */
export async function mailTo(
  app: AuthApp,
  to: string,
  subject: RegExp,
): Promise<string[]> {
  const dir = app.services?.config.mail.outboxDir;
  ok(dir, "an app built in process");
  let subjects: string[] = [];
  for (let i = 0; i < 50; i++) {
    const queued = await rows(
      app,
      "SELECT subject FROM email_outbox WHERE recipient = ?",
      [to],
    );
    const sent = (await listOutbox(dir)).filter((m) => m.to.includes(to));
    subjects = [
      ...queued.map((r) => String(r.subject)),
      ...sent.map((m) => m.subject),
    ];
    if (subjects.some((s) => subject.test(s))) return subjects;
    await new Promise((r) => setTimeout(r, 100));
  }
  return subjects;
}
