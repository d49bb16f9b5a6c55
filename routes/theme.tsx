import { page } from "fresh";
import { ErrorPage } from "../lib/web/error_page.tsx";
import { asBodyError, BodyError, readInput } from "../lib/http/body.ts";
import { chooseTheme } from "../lib/theme.ts";
import { updatePreferences } from "../lib/account/preferences.ts";
import { requestMeta, safeNext } from "../lib/web/auth.ts";
import { failureHeaders } from "../lib/web/failure_answer.ts";
import { limitByUser } from "../lib/web/limit_user.ts";
import { define } from "../utils.ts";

/**
 * The theme switch without JavaScript: the header's theme buttons post
 * here, the cookie is set, and the visitor goes back to the page they were
 * on (a same-site path only); a signed-in person's choice is also stored
 * with their account. With JavaScript the island sets the cookie itself
 * (and, signed in, posts the choice to /api/account/preferences).
 */
export const handler = define.handlers<{ status: number; error: string }>({
  GET(ctx) {
    return ctx.redirect("/", 303);
  },
  async POST(ctx) {
    const input = await readInput(ctx.req).catch(asBodyError);
    if (input instanceof BodyError) {
      return page({ status: input.status, error: input.message }, {
        status: input.status,
      });
    }
    const choice = chooseTheme(
      input,
      ctx.state.services.config.secureCookies,
    );
    if (!choice.ok) {
      return page({ status: 400, error: choice.error }, { status: 400 });
    }
    // Signed in, the choice is kept with the account (its pages render the
    // stored theme); the cookie is set too, for after signing out.
    const { auth, services } = ctx.state;
    if (auth.kind === "signed_in") {
      const limited = await limitByUser(ctx, "account", auth.user.id);
      if (limited) {
        return page({ status: 429, error: limited.error }, {
          status: 429,
          headers: failureHeaders(limited),
        });
      }
      await updatePreferences(
        services.db,
        auth.user.id,
        { theme: choice.theme },
        requestMeta(ctx),
      );
    }
    return new Response(null, {
      status: 303,
      headers: {
        location: safeNext(input.next, "/"),
        "set-cookie": choice.cookie,
      },
    });
  },
});

export default define.page<typeof handler>(function ThemeRefused({ data }) {
  return (
    <ErrorPage
      status={data.status}
      title="The theme was not changed"
      message={data.error}
    />
  );
});
