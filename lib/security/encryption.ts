/**
 * Secrets the app must read back (a TOTP secret: it is needed to compute
 * the codes, so it cannot be hashed) are stored sealed with AES-256-GCM
 * (WebCrypto) under `ENCRYPTION_KEY`: a database file, dump or backup
 * alone reveals nothing, and any change to the stored text is detected.
 *
 * A sealed value is one line of text:
 * `v1.<key id>.<iv>.<ciphertext and tag>` (base64url, no padding).
 * - The key id is a short fingerprint of the key (the first 48 bits of
 *   SHA-256 over a label and the key): with an old key still configured
 *   (`ENCRYPTION_KEY_PREVIOUS`) the right key is picked without trying
 *   each, and what an old key opens is reported `stale`, to be sealed again
 *   under the current one. A fingerprint reveals nothing usable of a
 *   256-bit random key.
 * - The IV is 96 random bits per seal (`crypto.getRandomValues`), never a
 *   counter, so instances sharing one key cannot repeat one; at 2^32 seals
 *   per key the chance of a repeat stays below 2^-32 (NIST SP 800-38D).
 * - The context (the owning user's id) is the additional authenticated
 *   data: a sealed value copied onto another account's row does not open.
 *
 * Opening never throws on what it is given: anything that is not an
 * authentic value sealed under a known key, for this context, is null.
 *
 * @module
 */
import {
  decodeBase64urlIgnorePadding,
  encodeBase64urlNoPadding,
} from "@oslojs/encoding";

/** Bytes of an AES-256 key. */
export const KEY_BYTES = 32;
/** Bytes of a GCM IV: 96 bits, the size GCM is built for. */
const IV_BYTES = 12;
/** Bytes of the GCM tag appended to the ciphertext. */
const TAG_BYTES = 16;
/** Longest sealed text worth trying to open: a TOTP secret is ~60 chars. */
const MAX_SEALED_LENGTH = 16_384;
const VERSION = "v1";
const B64URL_RE = /^[A-Za-z0-9_-]+$/;

/** Seals and opens small secrets bound to a context. */
export interface SecretBox {
  /**
   * Seals under the current key, bound to `context` (the user id): a
   * ciphertext moved to another row does not open.
   */
  seal(plain: Uint8Array, context: string): Promise<string>;
  /**
   * The plaintext, and `stale` when sealed under an old key (re-seal it);
   * null when not authentic.
   */
  open(
    sealed: string,
    context: string,
  ): Promise<{ plain: Uint8Array; stale: boolean } | null>;
}

/**
 * The fingerprint that names `key` in sealed values: 8 base64url
 * characters (48 bits of SHA-256 over a label and the key).
 *
 * @example
 * ```ts
 * const id = await keyId(new Uint8Array(32));
 * id.length; // 8
 * ```
 */
export async function keyId(key: Uint8Array): Promise<string> {
  const label = new TextEncoder().encode("islet encryption key id\0");
  const input = new Uint8Array(label.length + key.length);
  input.set(label);
  input.set(key, label.length);
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", input));
  return encodeBase64urlNoPadding(digest.subarray(0, 6));
}

/**
 * A box over `current` (every seal) and the `previous` keys (opened,
 * reported stale). Each key is 32 bytes; anything else throws a
 * `TypeError` (the config validates keys before this is called).
 *
 * @example
 * ```ts
 * const box = await createSecretBox(crypto.getRandomValues(new Uint8Array(32)));
 * const sealed = await box.seal(new TextEncoder().encode("hi"), "user-1");
 * const opened = await box.open(sealed, "user-1"); // { plain, stale: false }
 * await box.open(sealed, "user-2"); // null: another context
 * ```
 */
export async function createSecretBox(
  current: Uint8Array,
  previous: readonly Uint8Array[] = [],
): Promise<SecretBox> {
  const keys = new Map<string, { key: CryptoKey; stale: boolean }>();
  const add = async (raw: Uint8Array, stale: boolean) => {
    if (!(raw instanceof Uint8Array) || raw.length !== KEY_BYTES) {
      throw new TypeError(`An encryption key must be ${KEY_BYTES} bytes`);
    }
    const id = await keyId(raw);
    // The current key also listed as previous stays current.
    if (keys.has(id)) return id;
    const key = await crypto.subtle.importKey(
      "raw",
      new Uint8Array(raw),
      { name: "AES-GCM" },
      false,
      ["encrypt", "decrypt"],
    );
    keys.set(id, { key, stale });
    return id;
  };
  const currentId = await add(current, false);
  for (const raw of previous) await add(raw, true);
  const currentKey = keys.get(currentId)!.key;
  const encoder = new TextEncoder();

  return {
    async seal(plain, context) {
      const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
      const ct = new Uint8Array(
        await crypto.subtle.encrypt(
          { name: "AES-GCM", iv, additionalData: encoder.encode(context) },
          currentKey,
          new Uint8Array(plain),
        ),
      );
      return [
        VERSION,
        currentId,
        encodeBase64urlNoPadding(iv),
        encodeBase64urlNoPadding(ct),
      ].join(".");
    },
    async open(sealed, context) {
      if (typeof sealed !== "string" || sealed.length > MAX_SEALED_LENGTH) {
        return null;
      }
      const parts = sealed.split(".");
      if (parts.length !== 4 || parts[0] !== VERSION) return null;
      const found = keys.get(parts[1]);
      if (found === undefined) return null;
      const iv = decode(parts[2]);
      const ct = decode(parts[3]);
      if (iv?.length !== IV_BYTES || ct === null || ct.length < TAG_BYTES) {
        return null;
      }
      try {
        const plain = await crypto.subtle.decrypt(
          {
            name: "AES-GCM",
            iv,
            additionalData: encoder.encode(String(context)),
          },
          found.key,
          ct,
        );
        return { plain: new Uint8Array(plain), stale: found.stale };
      } catch {
        // The tag did not match: tampered, another context or another key.
        return null;
      }
    },
  };
}

/**
 * base64url without padding, or null when it is not that. Only the
 * canonical spelling: the spare bits of the last character must be zero,
 * so one sealed value has exactly one text and any changed character
 * fails to open.
 */
function decode(text: string): Uint8Array<ArrayBuffer> | null {
  if (!B64URL_RE.test(text) || text.length % 4 === 1) return null;
  let bytes: Uint8Array<ArrayBuffer>;
  try {
    bytes = new Uint8Array(decodeBase64urlIgnorePadding(text));
  } catch {
    return null;
  }
  return encodeBase64urlNoPadding(bytes) === text ? bytes : null;
}

/**
 * A key from its configured text: standard or URL-safe base64 of exactly
 * 32 bytes (`openssl rand -base64 32`), else null.
 *
 * @example
 * ```ts
 * parseKey("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")?.length; // 32
 * parseKey("too short"); // null
 * ```
 */
export function parseKey(text: string): Uint8Array | null {
  const t = text.trim().replaceAll("+", "-").replaceAll("/", "_")
    .replace(/=+$/, "");
  const bytes = decode(t);
  return bytes !== null && bytes.length === KEY_BYTES ? bytes : null;
}

/**
 * What is wrong with a key's text, for a configuration message that must
 * not repeat the text: not base64, or how many bytes it holds.
 *
 * @example
 * ```ts
 * keyProblem("c2hvcnQ="); // "decodes to 5 bytes, not 32"
 * keyProblem("no way!"); // "is not base64"
 * ```
 */
export function keyProblem(text: string): string {
  const t = text.trim().replaceAll("+", "-").replaceAll("/", "_")
    .replace(/=+$/, "");
  const bytes = t === "" ? new Uint8Array(0) : decode(t);
  if (bytes === null) return "is not base64";
  if (bytes.length === KEY_BYTES) return "is a valid key";
  return `decodes to ${bytes.length} byte${
    bytes.length === 1 ? "" : "s"
  }, not ${KEY_BYTES}`;
}

/**
 * A new random key as its configured text (standard base64, 44
 * characters), for the development key file and for operators.
 *
 * @example
 * ```ts
 * const text = newKeyText();
 * parseKey(text)?.length; // 32
 * ```
 */
export function newKeyText(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(KEY_BYTES));
  return btoa(String.fromCharCode(...bytes));
}
