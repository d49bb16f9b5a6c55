/**
 * Two-factor accounts for the HTTP and browser tests, on an app built in
 * process or served: an account signed up through the API, then turned on
 * through the core's own actions (`turnOnTwoFactor`: a setup, confirmed by
 * a code from the stored secret) over the app's database, with the app's
 * encryption key. Codes are computed from the secret as stored, opened
 * with that key, never hard-coded.
 *
 * @module
 */
import { ok, strictEqual } from "node:assert/strict";
import {
  type AccountDeps,
  type AccountMeta,
  cacheLimiter,
} from "../../lib/auth/account_deps.ts";
import { DEFAULT_SESSION_SETTINGS } from "../../lib/auth/session.ts";
import { totpCodeAt, totpStep } from "../../lib/auth/totp.ts";
import {
  storedTotpSecret,
  turnOnTwoFactor,
} from "../../lib/auth/two_factor_testing.ts";
import { createMemoryCache } from "../../lib/cache/memory.ts";
import type { Db } from "../../lib/db/db.ts";
import { getSession, type SessionRow } from "../../lib/db/sessions.ts";
import { getUserById } from "../../lib/db/users.ts";
import { enqueueEmail } from "../../lib/email/outbox_table.ts";
import {
  createSecretBox,
  parseKey,
  type SecretBox,
} from "../../lib/security/encryption.ts";
import { type AuthApp, Client, PASSWORD, uniqueEmail } from "./auth.ts";
import { TEST_ENCRYPTION_KEY } from "./encryption_key.ts";

const STEP_MS = 30_000;

/** Who turned two-factor on, as the audit log and the mail say it. */
const META: AccountMeta = {
  ip: "203.0.113.50",
  userAgent: "islet-test/1.0",
  device: "an unknown device",
};

/**
 * The secret box of the test apps: the key they are all given.
 *
 * @example
 * ```ts
 * const secrets = await testSecrets();
 * const sealed = await secrets.seal(new Uint8Array(20), "user-id");
 * ```
 */
export function testSecrets(): Promise<SecretBox> {
  const key = parseKey(TEST_ENCRYPTION_KEY);
  if (key === null) throw new Error("TEST_ENCRYPTION_KEY does not parse");
  return createSecretBox(key);
}

/** A signed-up account with two-factor on. */
export interface TwoFactorAccount {
  email: string;
  password: string;
  userId: string;
  /** The ten recovery codes shown when it was turned on. */
  recoveryCodes: string[];
  /**
   * A code the app accepts now: from the stored secret, at a time step
   * after every one handed out before (a step is accepted once), waiting
   * for the next step when the window of ±1 is used up.
   */
  code(): Promise<string>;
  /** The code of the last step handed out (already used, or about to be). */
  usedCode(): Promise<string>;
  /** Six digits that are no code the app would accept now. */
  wrongCode(): Promise<string>;
  /** A new client signed in with the password and a code. */
  signedIn(opts?: { userAgent?: string; ip?: string }): Promise<Client>;
}

/**
 * Signs an account up (and in, once, to confirm the setup in that session,
 * which is then signed out), and turns two-factor on through the core's
 * actions over the app's database.
 *
 * @example
 * ```ts
 * import { startApp } from "./auth.ts";
 * const app = await startApp();
 * const account = await twoFactorAccount(app);
 * const client = await account.signedIn();
 * await app.stop();
 * ```
 */
export async function twoFactorAccount(
  app: AuthApp,
  opts: {
    email?: string;
    /**
     * Opens the app's database (default `app.openDb`; a served app on
     * PostgreSQL needs one given).
     */
    openDb?: () => Promise<Db>;
  } = {},
): Promise<TwoFactorAccount> {
  const openDb = opts.openDb ?? app.openDb;
  const email = opts.email ?? uniqueEmail("2fa");
  const first = new Client(app);
  const signedIn = await first.register(email);
  const userId: string = signedIn.json.user.id;
  const secrets = await testSecrets();
  const db = await openDb();
  let recoveryCodes: string[];
  try {
    const user = await getUserById(db, userId);
    ok(user, "the account exists");
    const cache = createMemoryCache();
    const deps: AccountDeps = {
      db,
      sessions: { db, cache, settings: DEFAULT_SESSION_SETTINGS },
      // Into the app's own outbox table: the app delivers it.
      mailer: {
        send: async (q, message) => void await enqueueEmail(q, message),
      },
      appUrl: new URL(app.origin),
      limiter: cacheLimiter(cache, false),
      secrets,
    };
    recoveryCodes = await turnOnTwoFactor(deps, user, first.sessionId!, META);
  } finally {
    await db.close();
  }
  // The step the setup claimed is at most this one.
  let last = totpStep(Date.now());
  strictEqual((await first.post("/api/auth/logout")).status, 200);

  const secret = async () => {
    const db = await openDb();
    try {
      return await storedTotpSecret({ db, secrets }, userId);
    } finally {
      await db.close();
    }
  };
  const account: TwoFactorAccount = {
    email,
    password: PASSWORD,
    userId,
    recoveryCodes,
    async code() {
      let now = totpStep(Date.now());
      if (last + 1 > now + 1) {
        // Both steps the window allows ahead are spent: the next one.
        await new Promise((r) =>
          setTimeout(r, STEP_MS - (Date.now() % STEP_MS) + 50)
        );
        now = totpStep(Date.now());
      }
      last = Math.max(last + 1, now);
      return totpCodeAt(await secret(), last);
    },
    async usedCode() {
      return totpCodeAt(await secret(), last);
    },
    async wrongCode() {
      const key = await secret();
      const now = totpStep(Date.now());
      // Every code the window of ±1 step could accept, a step either side
      // too (the clock may move while the request is made).
      const near = new Set(
        [-2, -1, 0, 1, 2].map((d) => totpCodeAt(key, now + d)),
      );
      for (let n = 0;; n++) {
        const candidate = String(n * 7919 % 1_000_000).padStart(6, "0");
        if (!near.has(candidate)) return candidate;
      }
    },
    async signedIn(clientOpts = {}) {
      const c = await pendingClient(app, account, clientOpts);
      const done = await c.post("/api/auth/two-factor", {
        json: { code: await account.code() },
      });
      strictEqual(done.status, 200, done.text);
      return c;
    },
  };
  return account;
}

/**
 * A new client whose password was accepted: its session waits for the
 * code.
 *
 * @example
 * ```ts
 * import type { AuthApp } from "./auth.ts";
 * declare const app: AuthApp;
 * declare const account: TwoFactorAccount;
 * const waiting = await pendingClient(app, account);
 * ```
 */
export async function pendingClient(
  app: AuthApp,
  account: Pick<TwoFactorAccount, "email" | "password">,
  opts: { userAgent?: string; ip?: string } = {},
): Promise<Client> {
  const c = new Client(app, opts);
  const a = await c.post("/api/auth/login", {
    json: { email: account.email, password: account.password },
  });
  strictEqual(a.status, 200, a.text);
  strictEqual(a.json.secondFactor, true, "a code is owed");
  ok(c.cookie, "the pending session's cookie");
  return c;
}

/**
 * The stored row of a session, or null when it is gone.
 *
 * @example
 * ```ts
 * import type { AuthApp } from "./auth.ts";
 * declare const app: AuthApp;
 * const row = await sessionRow(app, "session-id");
 * ```
 */
export async function sessionRow(
  app: AuthApp,
  id: string,
): Promise<SessionRow | null> {
  const db = await app.openDb();
  try {
    return await getSession(db, id);
  } finally {
    await db.close();
  }
}
