/**
 * Password hashing and the password policy.
 *
 * - Hashes are argon2id with OWASP's minimum recommended cost (19 MiB, 2
 *   passes, 1 lane), stored as PHC strings so the parameters travel with the
 *   hash and {@linkcode needsRehash} can upgrade old hashes on sign-in.
 * - The work runs off the main thread through `@node-rs/argon2`'s async
 *   napi calls, and every hash and verify passes through one bounded FIFO
 *   gate ({@linkcode configurePasswordHashing}, `hash_queue.ts`) so a storm
 *   of sign-ins cannot take every core from the event loop: past the bound
 *   the call rejects with {@linkcode QueueFullError} ("busy, retry later").
 * - Every password is normalised to Unicode NFC before it is counted,
 *   checked or hashed (as RFC 8265's OpaqueString profile does), so "é"
 *   typed as one code point on one keyboard and as "e" + combining accent on
 *   another is the same password. NFKC is not used: it would fold visually
 *   different characters together and weaken passwords for no gain.
 * - The policy follows NIST SP 800-63B: length 8 to 128 code points, no
 *   composition rules, and the most common passwords refused.
 * - No pepper: it adds a secret to manage and rotate for little gain over
 *   argon2id's per-hash salt at this scale. Adding one later means a rehash
 *   on sign-in, which {@linkcode needsRehash} already drives.
 *
 * @module
 */

import { encodeHexLowerCase } from "@oslojs/encoding";
import { hash, verify } from "@node-rs/argon2";
import type { Algorithm, Options } from "@node-rs/argon2";
import { dictionary } from "@zxcvbn-ts/language-common";
import {
  defaultConcurrency,
  QueueFullError,
  WorkQueue,
  type WorkQueueOptions,
} from "./hash_queue.ts";
import { MIN_PASSWORD_LENGTH } from "./limits.ts";
import { passwordLengthProblem } from "./password_rule.ts";

export { QueueFullError };

/** Default bound of waiting hashes: at ~25 ms a hash, under a second of wait. */
export const DEFAULT_HASH_QUEUE = 32;

let queue = new WorkQueue({
  concurrency: defaultConcurrency(),
  maxQueued: DEFAULT_HASH_QUEUE,
});

/**
 * Sets how many hashes may run at once and how many may wait (start-up
 * and tests; work already queued finishes under the old bounds).
 *
 * @example
 * ```ts
 * configurePasswordHashing({ concurrency: 1, maxQueued: 32 });
 * ```
 */
export function configurePasswordHashing(options: WorkQueueOptions): void {
  queue = new WorkQueue(options);
}

// `Algorithm` is a `const enum` in an ambient .d.ts, which Deno's per-file
// transpiler cannot inline, so the value is written out (2 = Argon2id).
const ARGON2ID: Algorithm = 2;

const PARAMS = {
  algorithm: ARGON2ID,
  memoryCost: 19456,
  timeCost: 2,
  parallelism: 1,
} as const satisfies Options;

const PHC_ALGORITHM = "argon2id";
// Argon2 version 1.3 (0x13); what the library writes for new hashes.
const PHC_VERSION = 19;

/**
 * The outcome of {@linkcode validatePassword}.
 *
 * @example
 * ```ts
 * const result: PasswordValidation = validatePassword("hunter2");
 * if (!result.ok) console.log(result.error);
 * ```
 */
export type PasswordValidation = { ok: true } | { ok: false; error: string };

/**
 * The message shown when a password is on the common-password list.
 *
 * @example
 * ```ts
 * validatePassword("password123"); // { ok: false, error: COMMON_PASSWORD_ERROR }
 * ```
 */
export const COMMON_PASSWORD_ERROR =
  "This password is too common; choose one that is harder to guess";

function normalize(password: string): string {
  return password.normalize("NFC");
}

/**
 * Whether a hash or verify started now would be refused as busy: the
 * refusal to return, or null. A caller checks this before doing work that
 * a refusal would waste or count (a sign-in attempt against the account).
 *
 * @example
 * ```ts
 * const full = hashingBusy();
 * if (full) console.log(`retry in ${full.retryAfterSeconds} s`);
 * ```
 */
export function hashingBusy(): QueueFullError | null {
  return queue.refusal();
}

/**
 * Hashes a password with argon2id, off the main thread.
 *
 * The caller validates first ({@linkcode validatePassword}); this function
 * hashes whatever it is given, after NFC normalisation. Rejects with
 * {@linkcode QueueFullError} when too many hashes are already waiting.
 *
 * @example
 * ```ts
 * const stored = await hashPassword("correct horse battery staple");
 * // "$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>"
 * ```
 */
export function hashPassword(password: string): Promise<string> {
  const normalized = normalize(password);
  return queue.run(() => hash(normalized, PARAMS));
}

/**
 * Checks a password against a stored PHC hash, off the main thread.
 *
 * Resolves to `false` for a wrong password and for a stored value that is
 * not a valid argon2 hash, so a corrupt row reads as "wrong password"
 * rather than a 500. Rejects only with {@linkcode QueueFullError}, when too
 * many hashes are already waiting.
 *
 * @example
 * ```ts
 * import type { Db } from "../db/db.ts";
 * import { getPasswordHash, updatePasswordHash } from "../db/users.ts";
 * declare const db: Db;
 * declare const userId: string;
 * declare const password: string;
 * const hash = await getPasswordHash(db, userId);
 * if (hash !== null && await verifyPassword(hash, password)) {
 *   if (needsRehash(hash)) {
 *     await updatePasswordHash(db, userId, await hashPassword(password));
 *   }
 * }
 * ```
 */
export async function verifyPassword(
  hash: string,
  password: string,
): Promise<boolean> {
  if (typeof hash !== "string" || typeof password !== "string") return false;
  const normalized = normalize(password);
  // Only the library's errors mean "no match"; a full queue must reach the
  // caller as "busy", not as a wrong password.
  return await queue.run(() => verify(hash, normalized).catch(() => false));
}

/**
 * Tells whether a stored hash was made with other parameters than the
 * current ones (algorithm, version, m, t, p), or cannot be read at all, so
 * the caller should replace it after a successful sign-in.
 *
 * @example
 * ```ts
 * needsRehash("$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaA"); // false
 * needsRehash("$argon2id$v=19$m=19456,t=1,p=1$c2FsdHNhbHQ$aGFzaA"); // true
 * ```
 */
export function needsRehash(hash: string): boolean {
  if (typeof hash !== "string") return true;
  // PHC: $<id>$v=<version>$<k>=<v>,...$<salt>$<hash>; parsed by hand because
  // any mismatch, including an odd shape, simply means "make a new one".
  const fields = hash.split("$");
  if (fields.length !== 6 || fields[0] !== "") return true;
  const [, id, version, params, salt, digest] = fields;
  if (id !== PHC_ALGORITHM || version !== `v=${PHC_VERSION}`) return true;
  if (salt === "" || digest === "") return true;
  const seen = new Map<string, string>();
  for (const pair of params.split(",")) {
    const eq = pair.indexOf("=");
    if (eq <= 0) return true;
    seen.set(pair.slice(0, eq), pair.slice(eq + 1));
  }
  // Extra parameters (keyid, data) would mean a hash we no longer produce.
  return seen.size !== 3 ||
    seen.get("m") !== String(PARAMS.memoryCost) ||
    seen.get("t") !== String(PARAMS.timeCost) ||
    seen.get("p") !== String(PARAMS.parallelism);
}

let commonPasswords: Set<string> | undefined;

// zxcvbn's list (~49k, ranked by frequency, all lower case ASCII) is
// decompressed when the package is imported (~35 ms, once); the Set is built
// on first use (~2 ms). Entries shorter than the minimum are left out since
// the length rule already refuses them, which leaves ~18k.
function isCommon(password: string): boolean {
  commonPasswords ??= new Set(
    dictionary["passwords-common"].filter((w) =>
      codePointLength(w) >= MIN_PASSWORD_LENGTH
    ),
  );
  return commonPasswords.has(password.toLowerCase());
}

function codePointLength(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

/**
 * Applies the password policy to untrusted input (a form field).
 *
 * Length is counted in Unicode code points after NFC normalisation, so an
 * emoji counts as one character, not two UTF-16 units (a multi-code-point
 * emoji such as a family still counts as several). There are no
 * composition rules; instead the most common passwords are refused,
 * case-insensitively.
 *
 * @example
 * ```ts
 * declare const form: FormData;
 * const result = validatePassword(form.get("password"));
 * if (result.ok) {
 *   const hash = await hashPassword(form.get("password") as string);
 * } else {
 *   console.log(result.error); // e.g. "Password must be at least 8 characters"
 * }
 * ```
 */
export function validatePassword(password: unknown): PasswordValidation {
  if (typeof password !== "string") {
    return { ok: false, error: "Enter a password" };
  }
  const normalized = normalize(password);
  const lengthProblem = passwordLengthProblem(normalized);
  if (lengthProblem !== null) return { ok: false, error: lengthProblem };
  if (isCommon(normalized)) return { ok: false, error: COMMON_PASSWORD_ERROR };
  return { ok: true };
}

let dummyHash: Promise<string> | undefined;

function randomPassword(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(24));
  return encodeHexLowerCase(bytes);
}

/**
 * Spends the time of one {@linkcode verifyPassword} and learns nothing, for
 * a sign-in whose email matches no account, so response time does not tell
 * an attacker which emails are registered.
 *
 * The hash it checks against is of a random password, made on first call
 * with the current parameters (so its cost tracks them); that first call
 * also pays for one hash. Call it once at start-up to warm it. It waits in
 * the same queue as a real verify, so the wait is the same too, and like
 * one it rejects with {@linkcode QueueFullError} when the queue is full.
 *
 * @example
 * ```ts
 * import type { Db } from "../db/db.ts";
 * import { getPasswordHash, getUserByEmail } from "../db/users.ts";
 * declare const db: Db;
 * async function passwordMatches(email: string, password: string): Promise<boolean> {
 *   const user = await getUserByEmail(db, email);
 *   const hash = user === null ? null : await getPasswordHash(db, user.id);
 *   if (hash === null) {
 *     await dummyVerify(); // as slow as a real check: no account enumeration
 *     return false;
 *   }
 *   return verifyPassword(hash, password);
 * }
 * ```
 */
export async function dummyVerify(): Promise<void> {
  dummyHash ??= hashPassword(randomPassword()).catch((err) => {
    // Let a later call retry instead of caching the failure forever.
    dummyHash = undefined;
    throw err;
  });
  await verifyPassword(await dummyHash, randomPassword());
}
