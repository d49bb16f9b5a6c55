import { page } from "fresh";
import { Head } from "fresh/runtime";
import { LANGUAGES } from "../../../lib/account/preferences.ts";
import {
  getPreferences,
  type Preferences,
} from "../../../lib/db/preferences.ts";
import { asBodyError, BodyError } from "../../../lib/http/body.ts";
import { themeCookie } from "../../../lib/theme.ts";
import { preferencesAction } from "../../../lib/web/account_data_actions.ts";
import {
  failureHeaders,
  failureStatus,
} from "../../../lib/web/failure_answer.ts";
import { flashCookie, takeFlash } from "../../../lib/web/flash.ts";
import { Notice } from "../../../components/Notice.tsx";
import { FormError } from "../../../components/Field.tsx";
import { define, requireSignedIn, type Theme } from "../../../utils.ts";

interface Data {
  preferences: Pick<Preferences, "theme" | "language">;
  notice?: string | null;
  error?: string;
  fieldErrors?: Record<string, string>;
}

const PATH = "/settings/preferences";

export const handler = define.handlers<Data>({
  async GET(ctx) {
    const { services } = ctx.state;
    const { user } = requireSignedIn(ctx.state);
    const flash = takeFlash(ctx.req, services.config.secureCookies, [
      "preferences_saved",
    ]);
    const preferences = await getPreferences(services.db, user.id);
    return page({ preferences, notice: flash.message }, {
      headers: { ...flash.headers, "cache-control": "no-store" },
    });
  },
  async POST(ctx) {
    const { services } = ctx.state;
    const { user } = requireSignedIn(ctx.state);
    const outcome = await preferencesAction(ctx).catch(asBodyError);
    if (outcome instanceof BodyError || !outcome.ok) {
      const preferences = await getPreferences(services.db, user.id);
      if (outcome instanceof BodyError) {
        return page({ preferences, error: outcome.message }, {
          status: outcome.status,
        });
      }
      return page({
        preferences,
        error: outcome.error,
        fieldErrors: outcome.details,
      }, {
        status: failureStatus(outcome),
        headers: failureHeaders(outcome),
      });
    }
    const secure = services.config.secureCookies;
    const headers = new Headers({ location: PATH });
    headers.append(
      "set-cookie",
      flashCookie({ kind: "preferences_saved" }, secure),
    );
    // The cookie follows, so the theme stays after signing out on this device.
    headers.append(
      "set-cookie",
      themeCookie(outcome.preferences.theme, secure),
    );
    return new Response(null, { status: 303, headers });
  },
});

const THEMES: { value: Theme; label: string; hint: string }[] = [
  { value: "system", label: "System", hint: "Follow this device's setting" },
  { value: "light", label: "Light", hint: "Dark text on a light background" },
  { value: "dark", label: "Dark", hint: "Light text on a dark background" },
];

/** Settings, Preferences: theme and language, kept with the account. */
export default define.page<typeof handler>(function PreferencesSettings(
  { data },
) {
  const { preferences } = data;
  const themeError = data.fieldErrors?.theme;
  const languageError = data.fieldErrors?.language;
  return (
    <section aria-labelledby="preferences-title" class="max-w-xl space-y-6">
      <Head>
        <title>Preferences · Settings · Islet</title>
      </Head>
      <div>
        <h2 id="preferences-title" class="text-2xl font-bold">Preferences</h2>
        <p class="mt-2 text-sm text-slate-700 dark:text-slate-300">
          Kept with your account, so every device you sign in on uses them.
        </p>
      </div>
      <Notice message={data.notice} />
      <form method="post" action={PATH} class="space-y-6">
        <FormError message={data.error} />
        <fieldset
          aria-describedby={themeError ? "theme-error" : undefined}
          class="space-y-2"
        >
          <legend class="text-sm font-medium">Theme</legend>
          {THEMES.map((t) => (
            <label key={t.value} class="flex items-start gap-3">
              <input
                type="radio"
                name="theme"
                value={t.value}
                checked={preferences.theme === t.value}
                class="mt-1"
              />
              <span>
                <span class="block font-medium">{t.label}</span>
                <span class="block text-sm text-slate-600 dark:text-slate-300">
                  {t.hint}
                </span>
              </span>
            </label>
          ))}
          {themeError && (
            <p
              id="theme-error"
              class="text-sm font-medium text-red-700 dark:text-red-400"
            >
              {themeError}
            </p>
          )}
        </fieldset>
        <div class="space-y-1">
          <label for="language" class="block text-sm font-medium">
            Language
          </label>
          <select
            id="language"
            name="language"
            aria-describedby={`language-hint${
              languageError ? " language-error" : ""
            }`}
            class="block rounded-md border border-slate-500 bg-white px-3 py-2 text-slate-900 dark:bg-slate-900 dark:text-slate-100"
          >
            {LANGUAGES.map((l) => (
              <option
                key={l.code}
                value={l.code}
                selected={preferences.language === l.code}
              >
                {l.label}
              </option>
            ))}
          </select>
          <p
            id="language-hint"
            class="text-sm text-slate-600 dark:text-slate-300"
          >
            Islet is in English only for now.
          </p>
          {languageError && (
            <p
              id="language-error"
              class="text-sm font-medium text-red-700 dark:text-red-400"
            >
              {languageError}
            </p>
          )}
        </div>
        <button
          type="submit"
          class="rounded-md bg-indigo-700 px-4 py-2 text-sm font-medium text-white hover:bg-indigo-800"
        >
          Save preferences
        </button>
      </form>
    </section>
  );
});
