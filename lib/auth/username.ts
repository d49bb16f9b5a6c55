/**
 * Usernames made for new accounts: from their email address (password
 * sign-up), or from what a sign-in provider says about the person (its
 * login, else their name, else the local part of the address it gives).
 * A username is lower-case ASCII words joined by single hyphens
 * (`ada-lovelace`), at most {@linkcode MAX_USERNAME_BASE} characters
 * before a uniqueness suffix, and never cut inside a word or left ending
 * in a hyphen: words that do not fit are dropped whole.
 *
 * A provider's hint that gives no word that fits (a login of emoji, a
 * name in Cyrillic) is skipped for the next one, so "user" is the last
 * resort, not the answer for everyone whose login is not ASCII.
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
  return wordsBase(localPart(normalizeEmail(email))) ?? FALLBACK;
}

/** What a sign-in provider says about a person, to make a username from. */
export interface UsernameHints {
  /** The provider login (GitHub), `preferred_username` or `nickname`. */
  login: string | null;
  /** The person's name. */
  name: string | null;
  /** The address the provider gives. */
  email: string | null;
}

/**
 * The username a provider identity suggests: the words of its login, else
 * of its name, else of its address's local part (the first that has a
 * word that fits), by the same rules as {@linkcode usernameBase}.
 *
 * @example
 * ```ts
 * identityUsernameBase({ login: "Octo_Cat", name: "Mona", email: null }); // "octo-cat"
 * identityUsernameBase({ login: null, name: "Ada Lovelace", email: "a@x.io" }); // "ada-lovelace"
 * identityUsernameBase({ login: "😀", name: "Дмитрий", email: "dima@x.io" }); // "dima"
 * identityUsernameBase({ login: "ada@example.com", name: null, email: null }); // "ada"
 * identityUsernameBase({ login: null, name: null, email: null }); // "user"
 * ```
 */
export function identityUsernameBase(hints: UsernameHints): string {
  // A login that is an address (some providers' `preferred_username`)
  // gives its local part: "ada" rather than "ada-example-com".
  for (const text of [hints.login, hints.name, hints.email]) {
    const base = wordsBase(
      text !== null && text.includes("@")
        ? localPart(normalizeEmail(text))
        : text ?? "",
    );
    if (base !== null) return base;
  }
  return FALLBACK;
}

function localPart(email: string): string {
  const at = email.lastIndexOf("@");
  return at === -1 ? email : email.slice(0, at);
}

// As many whole words of `text` as fit; null when not even the first does.
function wordsBase(text: string): string | null {
  let out = "";
  for (const word of usernameWords(text)) {
    const next = out === "" ? word : `${out}-${word}`;
    if (next.length > MAX_USERNAME_BASE) break;
    out = next;
  }
  return out === "" ? null : out;
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
  return await freeFrom(db, usernameBase(email));
}

/**
 * A username from a provider identity that no account has yet: the
 * {@linkcode identityUsernameBase}, or it with a random `-xxxxxx` suffix.
 * Free when asked: the caller's insert may still find it taken by a
 * concurrent sign-up, and then asks again.
 *
 * @example
 * ```ts
 * import type { Queryable } from "../db/db.ts";
 * declare const db: Queryable;
 * await freeIdentityUsername(db, { login: "octocat", name: null, email: null }); // "octocat" or "octocat-7f3a2b"
 * ```
 */
export async function freeIdentityUsername(
  db: Queryable,
  hints: UsernameHints,
): Promise<string> {
  return await freeFrom(db, identityUsernameBase(hints));
}

async function freeFrom(db: Queryable, base: string): Promise<string> {
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
