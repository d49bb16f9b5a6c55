import { page } from "fresh";
import { OAuthProblemPage } from "../../../components/OAuthProblemPage.tsx";
import {
  oauthHeaders,
  type OAuthProblem,
  startOAuthAction,
} from "../../../lib/web/oauth_actions.ts";
import { define } from "../../../utils.ts";

// GET /oauth/<id>?next=… (sign in or up) or ?intent=link (connect from
// settings): a 303 to the provider, or the page saying why not.
export const handler = define.handlers<{ problem: OAuthProblem }>({
  async GET(ctx) {
    const answer = await startOAuthAction(ctx, ctx.params.provider);
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

export default define.page<typeof handler>(function OAuthStart({ data }) {
  return <OAuthProblemPage problem={data.problem} />;
});
