/**
 * Usernames made for new accounts from their email address. A username is
 * lower-case ASCII words joined by single hyphens (`ada-lovelace`), at
 * most {@linkcode MAX_USERNAME_BASE} characters before a uniqueness
 * suffix, and never cut inside a word or left ending in a hyphen: words
 * that do not fit are dropped whole.
 *
 * @module
 */
import { encodeHexLowerCase } from "@oslojs/encoding";
import type { Queryable } from "../db/db.ts";
import { getUserByUsername } from "../db/users.ts";
import { normalizeEmail } from "./email_rule.ts";

/**
 * Longest username made from an email, before a `-xxxxxx` suffix.
 *
 * @example
 * ```ts
 * usernameBase("a".repeat(40) + "@example.com").length <= MAX_USERNAME_BASE; // true
 * ```
 */
export const MAX_USERNAME_BASE = 24;

/** Used when the local part has no ASCII word that fits. */
const FALLBACK = "user";

/**
 * The username an email suggests: the words of its local part (accents
 * folded to ASCII, anything else a separator), as many whole words as fit.
 *
 * @example
 * ```ts
 * usernameBase("Ada.Lovelace@example.com"); // "ada-lovelace"
 * usernameBase("Élodie+news@example.fr");    // "elodie-news"
 * usernameBase("--@example.com");            // "user"
 * ```
 */
export function usernameBase(email: string): string {
  const normalised = normalizeEmail(email);
  const at = normalised.lastIndexOf("@");
  const local = at === -1 ? normalised : normalised.slice(0, at);
  const words = usernameWords(local);
  let out = "";
  for (const word of words) {
    const next = out === "" ? word : `${out}-${word}`;
    if (next.length > MAX_USERNAME_BASE) break;
    out = next;
  }
  return out === "" ? FALLBACK : out;
}

/**
 * The lower-case ASCII words of `text`: accents are folded ("é" → "e"),
 * every other character separates words.
 *
 * @example
 * ```ts
 * usernameWords("Jean-Éric_99"); // ["jean", "eric", "99"]
 * ```
 */
export function usernameWords(text: string): string[] {
  return text.normalize("NFKD").replace(/\p{M}+/gu, "").toLowerCase()
    .split(/[^a-z0-9]+/).filter((w) => w !== "");
}

/**
 * A username from the email that no account has yet: the
 * {@linkcode usernameBase}, or it with a random `-xxxxxx` suffix.
 *
 * @example
 * ```ts
 * import type { Queryable } from "../db/db.ts";
 * declare const db: Queryable;
 * await freeUsername(db, "Ada.Lovelace@example.com"); // "ada-lovelace" or "ada-lovelace-7f3a2b"
 * ```
 */
export async function freeUsername(
  db: Queryable,
  email: string,
): Promise<string> {
  const base = usernameBase(email);
  if ((await getUserByUsername(db, base)) === null) return base;
  for (let i = 0; i < 10; i++) {
    const suffix = encodeHexLowerCase(
      crypto.getRandomValues(new Uint8Array(3)),
    );
    const candidate = `${base}-${suffix}`;
    if ((await getUserByUsername(db, candidate)) === null) return candidate;
  }
  return `${base}-${crypto.randomUUID().slice(0, 8)}`;
}
