import { page } from "fresh";
import { OAuthProblemPage } from "../../../components/OAuthProblemPage.tsx";
import {
  finishOAuthAction,
  oauthHeaders,
  type OAuthProblem,
} from "../../../lib/web/oauth_actions.ts";
import { define } from "../../../utils.ts";

// GET /oauth/<id>/callback, the redirect URI registered with the
// provider: signed in (or on the code page, or back to the connections
// page), or the page saying what went wrong. The flow cookie is cleared
// on every answer.
export const handler = define.handlers<{ problem: OAuthProblem }>({
  async GET(ctx) {
    const answer = await finishOAuthAction(ctx, ctx.params.provider);
    const headers = oauthHeaders(answer);
    if (answer.kind === "redirect") {
      return new Response(null, { status: 303, headers });
    }
    // The page is rendered as if at the bare callback path: the provider's
    // code and state stay out of the HTML (the header's theme form returns
    // to this URL; the islands' props carry it).
    ctx.url.search = "";
    return page({ problem: answer.problem }, {
      status: answer.problem.status,
      headers,
    });
  },
});

export default define.page<typeof handler>(function OAuthCallback({ data }) {
  return <OAuthProblemPage problem={data.problem} />;
});
