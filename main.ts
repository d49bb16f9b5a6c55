/**
 * The Islet application. Served by the Builder in development (`deno task
 * dev`) and by the generated `_fresh/server.js` in production.
 *
 * @module
 */
import { App, csp, csrf, staticFiles } from "fresh";
import { loadConfig } from "./lib/config.ts";
import { CSP_DIRECTIVES } from "./lib/security/csp_policy.ts";
import { securityHeaders } from "./lib/security/headers.ts";
import { themeFromCookie } from "./lib/theme.ts";
import type { State } from "./utils.ts";

const config = loadConfig();

export const app = new App<State>()
  .use(securityHeaders({ hsts: config.appUrl.protocol === "https:" }))
  .use(staticFiles())
  .use(csrf({ origin: [config.appUrl.origin], exempt: ["/api/stripe/webhook"] }))
  .use(csp({ useNonce: true, csp: CSP_DIRECTIVES }))
  .use((ctx) => {
    ctx.state.theme = themeFromCookie(ctx.req.headers.get("cookie"));
    return ctx.next();
  })
  .fsRoutes();
