/**
 * One test per engine against an app built in process with every
 * provider configured: the GitHub stand-in, a real oidc-provider as
 * Google and another as "Acme SSO" (tests/helpers/oauth.ts), started for
 * the test and stopped after it.
 *
 * @module
 */
import { strictEqual } from "node:assert/strict";
import { ENGINES } from "../../lib/db/testing.ts";
import { type AuthApp, withApp } from "../helpers/auth.ts";
import {
  driveGitHub,
  driveOidc,
  type GitHubStandin,
  type OAuthStandins,
  type OidcStandin,
  startOAuthStandins,
} from "../helpers/oauth.ts";
import type { Driver } from "./oauth_sign_in_kit.ts";

/** What an OAuth test gets. */
export interface OAuthKit {
  app: AuthApp;
  standins: OAuthStandins;
  github: GitHubStandin;
  google: OidcStandin;
  acme: OidcStandin;
  /** The person at each provider, by provider id. */
  drive: { github: Driver; google: Driver; acme: Driver };
}

const DRIVE = { github: driveGitHub, google: driveOidc, acme: driveOidc };

/**
 * Registers `"<name> [sqlite]"` and `"<name> [postgres]"`.
 *
 * @example
 * ```ts
 * oauthTest("the start sends the browser to GitHub", async ({ app }) => {
 *   const res = await app.fetch("/oauth/github", { redirect: "manual" });
 *   await res.body?.cancel();
 * });
 * ```
 */
export function oauthTest(
  name: string,
  fn: (kit: OAuthKit) => Promise<void>,
  opts: { env?: Record<string, string> } = {},
): void {
  for (const engine of ENGINES) {
    Deno.test(`${name} [${engine}]`, async () => {
      const standins = await startOAuthStandins();
      try {
        await withApp(async (app) => {
          strictEqual(app.engine, engine);
          await fn({
            app,
            standins,
            github: standins.github,
            google: standins.google,
            acme: standins.acme,
            drive: DRIVE,
          });
        }, { engine, env: standins.env(opts.env) });
      } finally {
        await standins.stop();
      }
    });
  }
}
