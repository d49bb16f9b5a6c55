/**
 * The Islet application. Served by the Builder in development (`deno task
 * dev`) and by the generated `_fresh/server.js` in production.
 *
 * @module
 */
import { App, csp, staticFiles } from "fresh";
import { dummyVerify } from "./lib/auth/password.ts";
import { type Config, loadConfig, originPolicy } from "./lib/config.ts";
import { compression } from "./lib/http/compression.ts";
import { pathIs } from "./lib/http/path.ts";
import { clientIp } from "./lib/security/client_ip.ts";
import { CSP_DIRECTIVES } from "./lib/security/csp_policy.ts";
import { securityHeaders } from "./lib/security/headers.ts";
import { noStoreForAccounts } from "./lib/security/no_store.ts";
import { originCheck } from "./lib/security/origin_check.ts";
import { errorAnswers } from "./lib/web/error_answers.tsx";
import {
  ipRateLimitKey,
  rateLimit,
  tooManyRequests,
} from "./lib/security/rate_limit.ts";
import { createServices, type Services } from "./lib/services.ts";
import { themeFromCookie } from "./lib/theme.ts";
import type { State } from "./utils.ts";

const { config, services } = await startOrExit();
// Sign-in with an unknown email verifies against a dummy hash made on first
// use; making it now keeps the first such sign-in as fast as any other.
await dummyVerify();
if (!config.rateLimits) {
  console.warn(
    "RATE_LIMITS=off: every rate limit is disabled. Use this for load tests only.",
  );
}

/** Paths exempt from origin checks and rate limits: Stripe signs its webhooks instead. */
const WEBHOOK = "/api/stripe/webhook";
// APP_URL's origin, or every local address of a first run without it.
const checkOrigin = originCheck<State>(originPolicy(config));

export const app = new App<State>()
  // Outermost, so it compresses the final answer (error pages included).
  .use(compression())
  // The headers and the CSP come first, so that every answer carries them:
  // static files (an SVG opened directly is a document), 304s and refusals.
  .use(securityHeaders({ hsts: config.secureCookies }))
  .use(csp({ useNonce: true, csp: CSP_DIRECTIVES }))
  .use(noStoreForAccounts())
  // Every error, thrown or returned, becomes JSON under /api/ and the
  // error page elsewhere, inside the headers above.
  .use(errorAnswers("/api/"))
  .use(staticFiles())
  // The app's origin rule, then upstream csrf(); the webhook bypass is app code.
  .use((ctx) => pathIs(ctx, WEBHOOK) ? ctx.next() : checkOrigin(ctx))
  .use(async (ctx) => {
    ctx.state.services = services;
    ctx.state.clientIp = clientIp(ctx.req, ctx.info, services.trustedProxies);
    ctx.state.theme = themeFromCookie(ctx.req.headers.get("cookie"));
    if (config.rateLimits && !pathIs(ctx, WEBHOOK)) {
      // Default policy for every request that is not a static file: 100 a minute per address.
      const result = await rateLimit(
        services.cache,
        "default",
        ipRateLimitKey(ctx.state.clientIp),
      );
      if (!result.allowed) return tooManyRequests(result);
    }
    return ctx.next();
  })
  .fsRoutes();

/**
 * Reads the config and opens the database and cache; a problem there
 * (invalid settings, Redis unreachable, a failed migration) is one clear
 * message and exit code 1, not a stack trace.
 */
async function startOrExit(): Promise<{ config: Config; services: Services }> {
  try {
    const config = loadConfig();
    return { config, services: await createServices(config) };
  } catch (err) {
    console.error(
      `Islet cannot start.\n${
        err instanceof Error ? err.message : String(err)
      }`,
    );
    Deno.exit(1);
  }
}
