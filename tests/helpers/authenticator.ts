/**
 * The authenticator app of the two-factor tests: it reads the account's
 * secret back the way the app does (the sealed column, opened with the
 * app's own secret box under the test process's key) and computes codes
 * from it, so no test ever hard-codes a code. (A session "not recently
 * signed in" is `ageSession` in `auth.ts`.)
 *
 * @module
 */
import { ok } from "node:assert/strict";
import { decodeBase32IgnorePadding } from "@oslojs/encoding";
import { totpCodeAt, totpStep } from "../../lib/auth/totp.ts";
import { getTotpSecretEncrypted } from "../../lib/db/two_factor.ts";
import { createSecretBox, parseKey } from "../../lib/security/encryption.ts";
import type { AuthApp } from "./auth.ts";
import { TEST_ENCRYPTION_KEY } from "./encryption_key.ts";

/**
 * The account's TOTP secret as stored: the sealed column opened with the
 * test process's `ENCRYPTION_KEY` (the app's own `open`), bound to the
 * user id. Fails the test when there is none or it does not open.
 *
 * @example
 * ```ts
 * import type { AuthApp } from "./auth.ts";
 * declare const app: AuthApp;
 * const secret = await storedSecret(app, "user-id");
 * const code = codeFor(secret);
 * ```
 */
export async function storedSecret(
  app: AuthApp,
  userId: string,
): Promise<Uint8Array> {
  const db = await app.openDb();
  let sealed: string | null;
  try {
    sealed = await getTotpSecretEncrypted(db, userId);
  } finally {
    await db.close();
  }
  ok(sealed, "a secret is stored");
  const box = await createSecretBox(parseKey(TEST_ENCRYPTION_KEY)!);
  const opened = await box.open(sealed, userId);
  ok(opened, "the stored secret opens with the app's key");
  return opened.plain;
}

/**
 * The secret a person would type from the page's text key
 * ("ABCD EFGH …": base32 in groups).
 *
 * @example
 * ```ts
 * secretFromKeyText("GEZD GNBV GY3T QOJQ GEZD GNBV GY3T QOJQ").length; // 20
 * ```
 */
export function secretFromKeyText(keyText: string): Uint8Array {
  return decodeBase32IgnorePadding(keyText.replace(/\s+/g, ""));
}

/**
 * The code an authenticator app shows now, or `offset` steps (30 s) away:
 * `offset: 1` is the next code, which the app accepts too (one step of
 * drift), for a second sign-in within the same 30 seconds.
 *
 * @example
 * ```ts
 * declare const secret: Uint8Array;
 * codeFor(secret); // "492039"
 * codeFor(secret, 1); // the next one
 * ```
 */
export function codeFor(secret: Uint8Array, offset = 0): string {
  return totpCodeAt(secret, totpStep() + offset);
}

/**
 * Six digits that are none of the codes the app would accept now (the
 * steps within drift, and one more either side for a step that turns while
 * the test runs).
 *
 * @example
 * ```ts
 * declare const secret: Uint8Array;
 * wrongCodeFor(secret); // "000000", or another that does not match
 * ```
 */
export function wrongCodeFor(secret: Uint8Array): string {
  const near = new Set([-2, -1, 0, 1, 2].map((d) => codeFor(secret, d)));
  for (let n = 0;; n++) {
    const code = String(n * 111_111 % 1_000_000).padStart(6, "0");
    if (!near.has(code)) return code;
  }
}
