/**
 * Test fixture of the session engine: a Map-based fake cache and a
 * migrated database with one user, on a clock the test moves by hand.
 * {@linkcode sessionTest} registers a test once per database engine.
 *
 * @module
 */
import type { Cache } from "../cache/cache.ts";
import type { Db, Engine } from "../db/db.ts";
import { getSession } from "../db/sessions.ts";
import { ENGINES, withEngineDb } from "../db/testing.ts";
import { createUser } from "../db/users.ts";
import {
  DEFAULT_SESSION_SETTINGS,
  type SessionDeps,
  type SessionSettings,
} from "./session.ts";

export const MIN = 60_000;
export const HOUR = 60 * MIN;
export const DAY = 24 * HOUR;
export const T0 = Date.UTC(2030, 0, 1);
export const UA = "Mozilla/5.0 Test";

/** A Map-based Cache that records TTLs; rate limits and pub/sub are not used here. */
export class FakeCache implements Cache {
  readonly map = new Map<string, string>();
  readonly ttls = new Map<string, number>();
  sets = 0;
  /** Runs (and is awaited) before each write: to race something against it. */
  beforeSet?: (key: string) => void | Promise<void>;
  get(key: string) {
    return Promise.resolve(this.map.get(key) ?? null);
  }
  async set(key: string, value: string, ttlSeconds: number) {
    await this.beforeSet?.(key);
    this.sets++;
    this.map.set(key, value);
    this.ttls.set(key, ttlSeconds);
  }
  setIfAbsent(key: string, value: string, ttlSeconds: number) {
    if (this.map.has(key)) return Promise.resolve(false);
    this.map.set(key, value);
    this.ttls.set(key, ttlSeconds);
    return Promise.resolve(true);
  }
  delete(...keys: string[]) {
    for (const k of keys) this.map.delete(k);
    return Promise.resolve();
  }
  rateLimit() {
    return Promise.resolve({ allowed: true, remaining: 0, retryAfterMs: 0 });
  }
  resetRateLimit() {
    return Promise.resolve();
  }
  publish() {
    return Promise.resolve();
  }
  subscribe() {
    return Promise.resolve(() => Promise.resolve());
  }
  subscriptionEpoch() {
    return 0;
  }
  status() {
    return "in-process" as const;
  }
  close() {
    return Promise.resolve();
  }
}

export interface Fixture {
  engine: Engine;
  db: Db;
  cache: FakeCache;
  deps: SessionDeps;
  clock: { now: number };
  userId: string;
}

/**
 * Runs `fn` with the fixture on a fresh database of `engine` (SQLite
 * unless told), then removes the database.
 */
export function withSessions(
  fn: (f: Fixture) => Promise<void>,
  settings: Partial<SessionSettings> = {},
  engine: Engine = "sqlite",
): Promise<void> {
  return withEngineDb(engine, async (db) => {
    const cache = new FakeCache();
    const clock = { now: T0 };
    const deps: SessionDeps = {
      db,
      cache,
      settings: { ...DEFAULT_SESSION_SETTINGS, ...settings },
      now: () => clock.now,
    };
    const userId =
      (await createUser(db, { email: "s@example.com", username: "s" })).id;
    await fn({ engine, db, cache, deps, clock, userId });
  });
}

/**
 * Registers one `Deno.test` per engine, `"<name> [sqlite]"` and
 * `"<name> [postgres]"`, each with its own fixture.
 */
export function sessionTest(
  name: string,
  fn: (f: Fixture) => Promise<void>,
  settings: Partial<SessionSettings> = {},
): void {
  for (const engine of ENGINES) {
    Deno.test(`${name} [${engine}]`, () => withSessions(fn, settings, engine));
  }
}

export async function lastVerified(
  db: Db,
  id: string,
): Promise<number | undefined> {
  return (await getSession(db, id))?.lastVerifiedAt;
}
