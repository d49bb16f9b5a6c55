/**
 * The Islet application, built from its services. `main.ts` builds it once
 * from the environment for the servers; tests build it in process, on
 * their own database and cache, and call its handler directly.
 *
 * @module
 */
import { App, csp, staticFiles } from "fresh";
import { originPolicy } from "./lib/config.ts";
import { compression } from "./lib/http/compression.ts";
import { pathIs } from "./lib/http/path.ts";
import { clientIp } from "./lib/security/client_ip.ts";
import { cspDirectives } from "./lib/security/csp_policy.ts";
import { securityHeaders } from "./lib/security/headers.ts";
import { noStoreForAccounts } from "./lib/security/no_store.ts";
import { originCheck } from "./lib/security/origin_check.ts";
import { errorAnswers } from "./lib/web/error_answers.tsx";
import {
  ipRateLimitKey,
  rateLimit,
  tooManyRequests,
} from "./lib/security/rate_limit.ts";
import type { Services } from "./lib/services.ts";
import { themeFromCookie } from "./lib/theme.ts";
import type { State } from "./utils.ts";

/** Paths exempt from origin checks and rate limits: Stripe signs its webhooks instead. */
const WEBHOOK = "/api/stripe/webhook";

/**
 * The app's middleware chain and file routes over `services` (its config
 * included). The file routes come from the build the app is given: the
 * production snapshot, or an in-memory build in development and tests.
 *
 * @example
 * ```ts
 * import { loadConfig } from "./lib/config.ts";
 * import { createServices } from "./lib/services.ts";
 * const app = createApp(await createServices(loadConfig()));
 * ```
 */
export function createApp(services: Services): App<State> {
  const { config } = services;
  // APP_URL's origin, or every local address of a first run without it.
  const checkOrigin = originCheck<State>(originPolicy(config));

  return new App<State>()
    // Outermost, so it compresses the final answer (error pages included).
    .use(compression())
    // The headers and the CSP come first, so that every answer carries them:
    // static files (an SVG opened directly is a document), 304s and refusals.
    .use(securityHeaders({ hsts: config.secureCookies }))
    .use(csp({ useNonce: true, csp: cspDirectives(config) }))
    .use(noStoreForAccounts())
    // Every error, thrown or returned, becomes JSON under /api/ and the
    // error page elsewhere, inside the headers above.
    .use(errorAnswers("/api/"))
    .use(staticFiles())
    // The app's origin rule, then upstream csrf(); the webhook bypass is app code.
    .use((ctx) => pathIs(ctx, WEBHOOK) ? ctx.next() : checkOrigin(ctx))
    .use(async (ctx) => {
      ctx.state.services = services;
      ctx.state.clientIp = clientIp(
        ctx.req,
        ctx.info,
        services.trustedProxies,
      );
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
}
