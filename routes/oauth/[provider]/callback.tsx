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
    return page({ problem: answer.problem }, {
      status: answer.problem.status,
      headers,
    });
  },
});

export default define.page<typeof handler>(function OAuthCallback({ data }) {
  return <OAuthProblemPage problem={data.problem} />;
});
