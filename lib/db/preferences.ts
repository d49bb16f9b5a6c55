/**
 * A signed-in person's preferences (the `preferences` row made with the
 * user): colour theme and language. Visitors keep theirs in a cookie
 * (`lib/theme.ts`); once signed in, the stored row wins.
 *
 * @module
 */
import type { Theme } from "../web/state.ts";
import { preferencesKey } from "./changes.ts";
import type { Queryable } from "./db.ts";
import type { RowCache } from "./row_cache.ts";

/** What is stored. */
export interface Preferences {
  theme: Theme;
  /** A BCP 47 tag from {@linkcode LANGUAGES}. */
  language: string;
  updatedAt: number;
}

/** The defaults, as the table declares them. */
export const DEFAULT_PREFERENCES: Omit<Preferences, "updatedAt"> = {
  theme: "system",
  language: "en",
};

/**
 * The user's preferences; the defaults when the row is missing (an account
 * made before preferences existed, or by a path that forgot the row).
 *
 * @example
 * ```ts
 * import type { Queryable } from "./db.ts";
 * declare const db: Queryable;
 * const { theme } = await getPreferences(db, "user-id"); // "system"
 * ```
 */
export async function getPreferences(
  db: Queryable,
  userId: string,
): Promise<Preferences> {
  const row = await db.get(
    "SELECT theme, language, updated_at FROM preferences WHERE user_id = ?",
    [userId],
  );
  if (row === undefined) return { ...DEFAULT_PREFERENCES, updatedAt: 0 };
  return {
    theme: String(row.theme) as Theme,
    language: String(row.language),
    updatedAt: Number(row.updated_at),
  };
}

/**
 * The user's preferences for a page: from process memory where the
 * database announces every change to them (PostgreSQL; `rows` from the
 * session engine's deps, see `row_cache.ts`), else from the database.
 *
 * @example
 * ```ts
 * import type { Queryable } from "./db.ts";
 * import type { RowCache } from "./row_cache.ts";
 * declare const db: Queryable;
 * declare const rows: RowCache | undefined;
 * const { theme } = await readPreferences(db, rows, "user-id");
 * ```
 */
export function readPreferences(
  db: Queryable,
  rows: RowCache | undefined,
  userId: string,
): Promise<Preferences> {
  const load = () => getPreferences(db, userId);
  return rows ? rows.read(preferencesKey(userId), load) : load();
}

/**
 * Stores the user's preferences (creating the row if it is missing). The
 * values are checked by the caller (`lib/account/preferences.ts`); the
 * table's CHECK refuses an unknown theme anyway.
 *
 * @example
 * ```ts
 * import type { Queryable } from "./db.ts";
 * declare const db: Queryable;
 * await setPreferences(db, "user-id", { theme: "dark", language: "en" });
 * ```
 */
export async function setPreferences(
  db: Queryable,
  userId: string,
  prefs: { theme: Theme; language: string },
  now: number = Date.now(),
): Promise<void> {
  // ON CONFLICT ... DO UPDATE is the same on both engines.
  await db.run(
    `INSERT INTO preferences (user_id, theme, language, updated_at) VALUES (?, ?, ?, ?)
     ON CONFLICT (user_id) DO UPDATE SET theme = excluded.theme,
       language = excluded.language, updated_at = excluded.updated_at`,
    [userId, prefs.theme, prefs.language, now],
  );
}
