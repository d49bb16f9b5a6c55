import { getPreferences } from "../../../lib/db/preferences.ts";
import { jsonOk } from "../../../lib/http/json.ts";
import { preferencesAction } from "../../../lib/web/account_data_actions.ts";
import { failureJson } from "../../../lib/web/failure_answer.ts";
import { define, requireSignedIn } from "../../../utils.ts";

/**
 * The signed-in person's preferences (GET), or a change to them (POST
 * `{ "theme"?: "system" | "light" | "dark", "language"?: "en" }`; a field
 * left out keeps its value). The header's theme switch posts here once
 * JavaScript runs.
 */
export const handler = define.handlers({
  async GET(ctx) {
    const { user } = requireSignedIn(ctx.state);
    const p = await getPreferences(ctx.state.services.db, user.id);
    return jsonOk(
      {
        preferences: { theme: p.theme, language: p.language },
      },
      200,
      { "cache-control": "no-store" },
    );
  },
  async POST(ctx) {
    const outcome = await preferencesAction(ctx);
    if (!outcome.ok) return failureJson(outcome);
    const { theme, language } = outcome.preferences;
    return jsonOk({ preferences: { theme, language } });
  },
});
