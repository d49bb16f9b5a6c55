/**
 * The fuzz's randomness: a seeded xorshift PRNG, so the same seed makes
 * the same requests on every machine.
 *
 * @module
 */

/** The seed used when FUZZ_SEED is not set. */
export const DEFAULT_SEED = 0x15_1e7;

/**
 * The seed of this run: FUZZ_SEED (decimal or 0x hex) or the default.
 *
 * @example
 * ```ts
 * const rng = new Rng(fuzzSeed());
 * ```
 */
export function fuzzSeed(): number {
  const raw = Deno.env.get("FUZZ_SEED");
  if (raw === undefined || raw.trim() === "") return DEFAULT_SEED;
  const n = Number(raw.trim());
  if (!Number.isSafeInteger(n)) {
    throw new Error(`FUZZ_SEED must be an integer, got "${raw}"`);
  }
  return n >>> 0;
}

/**
 * xorshift32 (Marsaglia): tiny, fast, and the same numbers for the same
 * seed on every machine.
 *
 * @example
 * ```ts
 * const rng = new Rng(42);
 * rng.pick(["a", "b"]);
 * ```
 */
export class Rng {
  #s: number;
  constructor(seed: number) {
    // Zero is the one state xorshift never leaves.
    this.#s = (seed >>> 0) || 0x9e3779b9;
  }
  /** A uint32. */
  next(): number {
    let x = this.#s;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.#s = x >>> 0;
    return this.#s;
  }
  /** An integer in [0, n). */
  int(n: number): number {
    return this.next() % n;
  }
  /** True with probability p. */
  chance(p: number): boolean {
    return this.next() / 0x1_0000_0000 < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }
  bytes(n: number): Uint8Array<ArrayBuffer> {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = this.next() & 0xff;
    return out;
  }
  /** Characters from `alphabet`. */
  text(n: number, alphabet: string): string {
    let s = "";
    for (let i = 0; i < n; i++) s += alphabet[this.int(alphabet.length)];
    return s;
  }
}

export const ALNUM =
  "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
export const PRINTABLE = ALNUM + " !\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";

/**
 * UTF-8 bytes as a ByteString, so a header carries any Unicode text the
 * way a client that sends raw UTF-8 would (fetch refuses chars > U+00FF).
 */
export function utf8Bytes(s: string): string {
  return String.fromCharCode(...new TextEncoder().encode(s));
}
