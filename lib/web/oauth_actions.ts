/**
 * Sign-in, sign-up and connecting an account through a provider (GitHub,
 * Google, any OpenID Connect issuer), as whole requests. The routes
 * `routes/oauth/[provider]/index.tsx` (start) and `callback.tsx` are thin
 * adapters: a 303 with the answer's headers, or the failure page with its
 * status.
 *
 * - {@linkcode startOAuthAction}: `lib/web/oauth_start.ts`.
 * - {@linkcode finishOAuthAction}: `lib/web/oauth_finish.ts`.
 * - The failure reasons, statuses and words: `lib/web/oauth_failure.ts`.
 *
 * @module
 */
export { startOAuthAction } from "./oauth_start.ts";
export { finishOAuthAction } from "./oauth_finish.ts";
export {
  type OAuthAnswer,
  oauthHeaders,
  type OAuthProblem,
  oauthStartPath,
} from "./oauth_failure.ts";
