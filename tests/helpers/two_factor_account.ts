/**
 * Accounts in the two-factor settings tests: signed in, turned on through
 * the JSON API, their recovery codes as stored.
 *
 * @module
 */
import assert from "node:assert/strict";
import { recoveryCodeHash } from "../../lib/auth/recovery_codes.ts";
import { codeFor, storedSecret } from "./authenticator.ts";
import { type AuthApp, Client, uniqueEmail } from "./auth.ts";

/** The two-factor settings API. */
export const TWO_FACTOR_API = "/api/account/two-factor";
const API = TWO_FACTOR_API;

/**
 * A signed-in account: its client, address and id.
 *
 * @example
 * ```ts
 * import type { AuthApp } from "./auth.ts";
 * declare const app: AuthApp;
 * const { me, email, id } = await signedIn(app, "ada");
 * ```
 */
export async function signedIn(app: AuthApp, prefix: string) {
  const me = new Client(app);
  const email = uniqueEmail(prefix);
  await me.register(email);
  const id: string = (await me.get("/api/auth/me")).json.user.id;
  return { me, email, id };
}

/**
 * The account's unused recovery code hashes, as stored, sorted.
 *
 * @example
 * ```ts
 * import type { AuthApp } from "./auth.ts";
 * declare const app: AuthApp;
 * const hashes = await storedHashes(app, "user-id");
 * ```
 */
export async function storedHashes(
  app: AuthApp,
  userId: string,
): Promise<string[]> {
  const db = await app.openDb();
  try {
    const rows = await db.all(
      "SELECT code_hash FROM recovery_codes WHERE user_id = ? AND used_at IS NULL",
      [userId],
    );
    return rows.map((r) => String(r.code_hash)).sort();
  } finally {
    await db.close();
  }
}

/**
 * The hashes the app stores for `codes` (what the database must hold),
 * sorted.
 *
 * @example
 * ```ts
 * declare const codes: string[];
 * const expected = hashesOf("user-id", codes);
 * ```
 */
export function hashesOf(userId: string, codes: string[]): string[] {
  return codes.map((c) => {
    const hash = recoveryCodeHash(userId, c);
    assert.ok(hash, `${c} is a well-formed recovery code`);
    return hash;
  }).sort();
}

/**
 * Turns two-factor on through the JSON API: its recovery codes and the
 * secret (the code used claimed the current step: the next sign-in within
 * 30 seconds takes `codeFor(secret, 1)`).
 *
 * @example
 * ```ts
 * import type { AuthApp, Client } from "./auth.ts";
 * declare const app: AuthApp;
 * declare const me: Client;
 * const { codes, secret } = await enableOverJson(app, me, "user-id");
 * ```
 */
export async function enableOverJson(app: AuthApp, me: Client, id: string) {
  const setup = await me.post(`${API}/setup`);
  assert.equal(setup.status, 200, setup.text);
  const secret = await storedSecret(app, id);
  const on = await me.post(`${API}/enable`, {
    json: { code: codeFor(secret) },
  });
  assert.equal(on.status, 200, on.text);
  return { codes: on.json.recoveryCodes as string[], secret };
}
