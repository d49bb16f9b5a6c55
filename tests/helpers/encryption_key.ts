/**
 * The ENCRYPTION_KEY the apps and servers of one test process get unless a
 * test says otherwise: two-factor works in them as in a configured
 * production, and two servers of one test (two instances on one database)
 * share the key, as real instances must. A test of the key's absence
 * passes `ENCRYPTION_KEY: ""`.
 *
 * @module
 */
import { newKeyText } from "../../lib/security/encryption.ts";

/**
 * A random key, the same for the whole test process.
 *
 * @example
 * ```ts
 * const env = { ENCRYPTION_KEY: TEST_ENCRYPTION_KEY };
 * ```
 */
export const TEST_ENCRYPTION_KEY: string = newKeyText();
