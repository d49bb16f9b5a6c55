/**
 * Where the key that seals secrets at rest comes from, decided once at
 * start-up (`createServices`):
 * - `ENCRYPTION_KEY` set: that key (and `ENCRYPTION_KEY_PREVIOUS`, read
 *   only), in every mode.
 * - Development (`deno task dev`) without it: a key generated on the first
 *   start into `encryption.key` beside the SQLite file (`data/` by
 *   default), owner-only, and reused on every start after, so two-factor
 *   works out of the box and survives restarts. The app says so in one
 *   line. It is a development convenience: the key sits next to the data
 *   it protects.
 * - Production without it: no box (`services.secrets` is null) and
 *   two-factor is unavailable, which pages say. If any account already
 *   uses two-factor (or has a stored secret), start-up is refused: those
 *   accounts could not sign in, and running on would hide the mistake.
 *
 * @module
 */
import * as path from "node:path";
import type { Config } from "../config.ts";
import type { Queryable } from "../db/db.ts";
import { countTwoFactorAccounts } from "../db/two_factor.ts";
import {
  createSecretBox,
  newKeyText,
  parseKey,
  type SecretBox,
} from "./encryption.ts";

/** The development key's file name, in the folder of `DATABASE_PATH`. */
export const DEV_KEY_FILE = "encryption.key";

/** Start-up refused: accounts use two-factor and no key is configured. */
export class MissingEncryptionKeyError extends Error {
  constructor(accounts: number) {
    super(
      `ENCRYPTION_KEY is not set, but ${accounts} account${
        accounts === 1 ? " uses" : "s use"
      } two-factor sign-in: their authenticator secrets are stored encrypted and cannot be read without the key. Set ENCRYPTION_KEY to the key they were encrypted with (and ENCRYPTION_KEY_PREVIOUS to an older one, if the key was changed).`,
    );
    this.name = "MissingEncryptionKeyError";
  }
}

/** The file's key, read back or made now. */
export interface DevelopmentKey {
  key: Uint8Array;
  /** Where it is. */
  file: string;
  /** Whether this call wrote it. */
  created: boolean;
}

/**
 * The development key in `dir`: read back, or made (folder 0700 if it is
 * missing, file 0600). Made atomically: the key is written to a temporary
 * file and linked into place, which fails if another process got there
 * first, whose key is then read; nobody ever reads a half-written key.
 * A file that holds no valid key is an error, never replaced: what it
 * sealed would be lost.
 *
 * @example
 * ```ts
 * const { key, created } = await developmentKey("data");
 * ```
 */
export async function developmentKey(dir: string): Promise<DevelopmentKey> {
  const file = path.join(dir, DEV_KEY_FILE);
  const existing = await readKeyFile(file);
  if (existing !== null) return { key: existing, file, created: false };
  await Deno.mkdir(dir, { recursive: true, mode: 0o700 });
  const random = crypto.getRandomValues(new Uint32Array(2)).join("");
  const tmp = `${file}.${random}.tmp`;
  try {
    await Deno.writeTextFile(tmp, newKeyText() + "\n", {
      createNew: true,
      mode: 0o600,
    });
    // The mode given on create is filtered by the umask.
    if (Deno.build.os !== "windows") await Deno.chmod(tmp, 0o600);
    let created = true;
    try {
      await Deno.link(tmp, file);
    } catch (err) {
      if (!(err instanceof Deno.errors.AlreadyExists)) throw err;
      created = false;
    }
    const key = await readKeyFile(file);
    if (key === null) throw new Error(`${file} vanished while being made`);
    return { key, file, created };
  } finally {
    await Deno.remove(tmp).catch(() => {});
  }
}

async function readKeyFile(file: string): Promise<Uint8Array | null> {
  let text: string;
  try {
    text = await Deno.readTextFile(file);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return null;
    throw err;
  }
  const key = parseKey(text);
  if (key === null) {
    throw new Error(
      `${file} does not hold an encryption key (32 bytes, base64). Restore it, or set ENCRYPTION_KEY; delete it only if no account uses two-factor.`,
    );
  }
  return key;
}

/**
 * The secret box of this process (see the module's description), or null
 * when two-factor is unavailable. Throws
 * {@linkcode MissingEncryptionKeyError} when accounts need a key that is
 * not there. `log` gets the one line about a development key.
 *
 * @example
 * ```ts
 * import { loadConfig } from "../config.ts";
 * import type { Db } from "../db/db.ts";
 * declare const db: Db;
 * const secrets = await openSecrets(loadConfig(), db, { development: true });
 * ```
 */
export async function openSecrets(
  config: Pick<Config, "encryption" | "databasePath">,
  db: Queryable,
  opts: { development: boolean; log?: (line: string) => void },
): Promise<SecretBox | null> {
  const { key, previous } = config.encryption;
  if (key !== undefined) return await createSecretBox(key, previous);
  if (opts.development) {
    const dev = await developmentKey(path.dirname(config.databasePath));
    (opts.log ?? console.log)(
      `${
        dev.created
          ? "Generated a development encryption key in"
          : "Using the development encryption key in"
      } ${dev.file} (no ENCRYPTION_KEY set); production needs ENCRYPTION_KEY.`,
    );
    return await createSecretBox(dev.key);
  }
  const accounts = await countTwoFactorAccounts(db);
  if (accounts > 0) throw new MissingEncryptionKeyError(accounts);
  return null;
}
