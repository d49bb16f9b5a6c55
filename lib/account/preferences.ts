/**
 * Changing a signed-in person's preferences (theme, language). The
 * settings form, the header's theme switch and the JSON endpoint all come
 * here; the stored theme is what signed-in pages render
 * (`routes/_middleware.ts`), while visitors keep the cookie.
 *
 * @module
 */
import type { Queryable } from "../db/db.ts";
import { audit } from "../db/audit.ts";
import {
  getPreferences,
  type Preferences,
  setPreferences,
} from "../db/preferences.ts";
import { isTheme } from "../theme.ts";
import { type Failure, failure } from "../auth/outcome.ts";
import type { RequestMeta } from "../auth/sign_up.ts";

/**
 * The languages offered. Islet's pages exist in English only, so English
 * is the one choice today; the stored value is what translations will
 * read when they exist.
 */
export const LANGUAGES: readonly { code: string; label: string }[] = [
  { code: "en", label: "English" },
];

/** Outcome of {@linkcode updatePreferences}. */
export type PreferencesResult =
  | { ok: true; preferences: Preferences; changed: boolean }
  | Failure<"invalid">;

/**
 * Validates and stores the submitted preferences. A field left out keeps
 * its stored value (the header's switch sends only the theme); an unknown
 * value is refused, never mapped to a default. A change is audited; the
 * same values again change nothing.
 *
 * @example
 * ```ts
 * import type { Queryable } from "../db/db.ts";
 * declare const db: Queryable;
 * const meta = { ip: "203.0.113.9", userAgent: null };
 * const result = await updatePreferences(db, "user-id", { theme: "dark" }, meta);
 * if (!result.ok) console.log(result.details); // { theme: "Choose a theme: …" }
 * ```
 */
export async function updatePreferences(
  db: Queryable,
  userId: string,
  input: Record<string, unknown>,
  meta: RequestMeta,
): Promise<PreferencesResult> {
  const details: Record<string, string> = {};
  const theme = input.theme;
  const language = input.language;
  if (theme !== undefined && !isTheme(theme)) {
    details.theme = "Choose a theme: system, light or dark.";
  }
  if (
    language !== undefined &&
    !LANGUAGES.some((l) => l.code === language)
  ) {
    details.language = `Choose a language: ${
      LANGUAGES.map((l) => l.label).join(", ")
    }.`;
  }
  if (theme === undefined && language === undefined) {
    details.theme = "Choose a theme or a language.";
  }
  if (Object.keys(details).length > 0) {
    return failure("invalid", "Please correct the highlighted fields", {
      details,
    });
  }
  return await db.transaction(async (tx) => {
    const current = await getPreferences(tx, userId);
    const next = {
      theme: isTheme(theme) ? theme : current.theme,
      language: typeof language === "string" ? language : current.language,
    };
    if (next.theme === current.theme && next.language === current.language) {
      return { ok: true as const, preferences: current, changed: false };
    }
    const now = Date.now();
    await setPreferences(tx, userId, next, now);
    await audit(tx, {
      userId,
      event: "account.preferences",
      ip: meta.ip,
      userAgent: meta.userAgent,
      details: next,
    }, now);
    return {
      ok: true as const,
      preferences: { ...next, updatedAt: now },
      changed: true,
    };
  });
}
