/**
 * The one place an error becomes an answer. Whatever made it (a handler
 * or guard throwing `HttpError` or `PublicError`, a middleware throwing
 * before the route, or the framework returning or throwing 403, 404 or
 * 405), a path under `/api/` gets the JSON shape of design.md,
 * `{ "success": false, "error": "…", "details"?: {…} }`, and any other
 * path gets the error page in the app's layout. It sits inside the
 * security headers and the CSP, so every error answer carries them.
 *
 * @module
 */
import { type Context, HttpError, type Middleware } from "fresh";
import { jsonError } from "../http/json.ts";
import {
  DatabaseUnavailableError,
  ForeignKeyViolationError,
} from "../db/db.ts";
import { PublicError } from "../http/public_error.ts";
import { themeFromCookie } from "../theme.ts";
import { OriginRefused, StatusPage } from "./error_page.tsx";
import { safeNext } from "./safe_next.ts";
import type { State } from "./state.ts";

/** Short messages for statuses whose answer had none to show. */
const MESSAGES: Record<number, string> = {
  400: "Bad request",
  401: "Sign in to continue",
  403: "Forbidden",
  404: "Not found",
  405: "Method not allowed",
  413: "Request body too large",
  415: "Unsupported content type",
  429: "Too many requests",
};

/** How long a client should wait when the database is unavailable. */
const RETRY_AFTER_SECONDS = "5";

/**
 * The database cannot answer (down, restarting, past the statement
 * timeout): not a bug, so a 503 that says to try again, never a 500.
 */
function unavailable(err: unknown): PublicError | null {
  if (!(err instanceof DatabaseUnavailableError)) return null;
  return new PublicError(
    503,
    "The service is briefly unavailable. Please try again in a moment.",
    undefined,
    { cause: err },
  );
}

/**
 * A write pointed at a row that is gone: the account this request acts for
 * was deleted while it ran. The request's own fault no more than the
 * person's: a 409 that says what happened, never a 500.
 */
function vanished(err: unknown): PublicError | null {
  if (!(err instanceof ForeignKeyViolationError)) return null;
  return new PublicError(
    409,
    "Your account changed while this request ran (it may have been deleted). Reload the page.",
    undefined,
    { cause: err },
  );
}

/** Statuses the framework answers by itself, as plain text, on pages. */
const FRAMEWORK_STATUSES = new Set([403, 404, 405]);

/** Response headers that describe the old body, not the answer. */
const BODY_HEADERS = ["content-type", "content-length", "content-encoding"];

/**
 * The middleware. Put it after the security headers and CSP, before
 * everything that may fail.
 *
 * @example
 * ```ts
 * import { App } from "fresh";
 * import type { State } from "./state.ts";
 * const app = new App<State>().use(errorAnswers("/api/"));
 * ```
 */
export function errorAnswers(apiPrefix = "/api/"): Middleware<State> {
  return async (ctx) => {
    const api = ctx.url.pathname.startsWith(apiPrefix);
    let res: Response;
    try {
      res = await ctx.next();
    } catch (thrown) {
      // Thrown before (or around) the route: the framework's own error
      // handling would answer outside the app's middlewares.
      return await answerThrown(ctx, thrown, api, false);
    }
    // A route handler's error is answered inside the chain, by the error
    // page with ctx.error set (and logged by the framework): a database
    // that was unavailable there is as much a 503 as anywhere else, and a
    // deleted account as much a 409.
    if (
      res.status === 500 &&
      (unavailable(ctx.error) ?? vanished(ctx.error)) !== null
    ) {
      await res.body?.cancel();
      return await answerThrown(ctx, ctx.error, api, true);
    }
    if (res.status < 400) return res;
    const type = res.headers.get("content-type") ?? "";
    if (api) {
      return type.includes("application/json")
        ? res
        : await rewriteAsJson(res, ctx.error);
    }
    // The framework's error pages (_404, _500) already are pages.
    if (
      ctx.error === null && FRAMEWORK_STATUSES.has(res.status) &&
      type.startsWith("text/plain")
    ) {
      await res.body?.cancel();
      const page = await errorPage(ctx, null, res.status);
      // Keep what the plain answer said beyond its body (Allow).
      const allow = res.headers.get("allow");
      if (allow !== null) page.headers.set("allow", allow);
      return page;
    }
    return res;
  };
}

/**
 * The answer for a thrown value: JSON or the error page, a 503 with
 * Retry-After for an unavailable database. `logged`: the framework has
 * already logged it.
 */
async function answerThrown(
  ctx: Context<State>,
  thrown: unknown,
  api: boolean,
  logged: boolean,
): Promise<Response> {
  const down = unavailable(thrown);
  const err = down ?? vanished(thrown) ?? thrown;
  const status = statusOf(err);
  if (logged) {
    // The framework's own log line said it.
  } else if (err !== thrown) {
    // Expected (an outage, a deletion racing a request) and says nothing
    // new per request: one line, no stack, and the message never holds a
    // password.
    console.warn(
      `${ctx.req.method} ${ctx.url.pathname}: ${status}, ${
        (thrown as Error).message
      }`,
    );
  } else if (status >= 500) {
    console.error(
      `Error handling ${ctx.req.method} ${ctx.url.pathname}:`,
      err,
    );
  }
  const res = api ? errorJson(err) : await errorPage(ctx, err, status);
  if (down) res.headers.set("retry-after", RETRY_AFTER_SECONDS);
  return res;
}

/**
 * The JSON answer for a thrown value: its status, and a message shown only
 * when it was written for people (any `PublicError`, an `HttpError` below
 * 500); a bug is a bare 500.
 *
 * @example
 * ```ts
 * import { HttpError } from "fresh";
 * const res = errorJson(new HttpError(401, "Sign in to continue"));
 * // 401 {"success":false,"error":"Sign in to continue"}
 * ```
 */
export function errorJson(err: unknown): Response {
  const status = statusOf(err);
  return jsonError(
    status,
    publicMessage(err, status),
    err instanceof PublicError ? err.details : undefined,
  );
}

function statusOf(err: unknown): number {
  return err instanceof HttpError ? err.status : 500;
}

function publicMessage(err: unknown, status: number): string {
  if (err instanceof PublicError) return err.message;
  if (err instanceof HttpError && status < 500) return err.message;
  return status >= 500
    ? "Internal server error"
    : MESSAGES[status] ?? "Request failed";
}

/**
 * A non-JSON error answer under the API prefix, as JSON: same status,
 * same other headers (`Allow`, `Retry-After`, `Set-Cookie`). The message
 * is the thrown error's when public, else a short plain-text body, else
 * the reason phrase.
 */
async function rewriteAsJson(
  res: Response,
  thrown: unknown,
): Promise<Response> {
  const type = res.headers.get("content-type") ?? "";
  let message = thrown !== null && statusOf(thrown) === res.status
    ? publicMessage(thrown, res.status)
    : res.status >= 500
    ? "Internal server error"
    : MESSAGES[res.status] ?? "Request failed";
  if (thrown === null && res.status < 500 && type.startsWith("text/plain")) {
    const text = (await res.text()).trim();
    if (text.length > 0 && text.length <= 200) message = text;
  } else {
    await res.body?.cancel();
  }
  const details = thrown instanceof PublicError ? thrown.details : undefined;
  const headers = new Headers(res.headers);
  for (const name of BODY_HEADERS) headers.delete(name);
  const json = jsonError(res.status, message, details);
  for (const [name, value] of json.headers) headers.set(name, value);
  return new Response(json.body, { status: res.status, headers });
}

/**
 * The error page in the app's layout. A refused form post (403) gets the
 * page that says so, with a link back to the form.
 */
async function errorPage(
  ctx: Context<State>,
  err: unknown,
  status: number,
): Promise<Response> {
  // The error may come before the middleware that reads the theme.
  ctx.state.theme ??= themeFromCookie(ctx.req.headers.get("cookie"));
  if (err !== null) ctx.error = err;
  const form = ctx.req.method !== "GET" && ctx.req.method !== "HEAD";
  const body = status === 403 && form
    ? <OriginRefused back={safeNext(ctx.url.pathname, "/")} />
    : <StatusPage error={err ?? new HttpError(status)} />;
  try {
    const page = await ctx.render(body, { status });
    page.headers.set("cache-control", "no-store");
    return page;
  } catch (again) {
    // The page itself failed (a layout that needs what the failed
    // middleware would have set): answer plainly, still inside the headers.
    console.error(`Error page for ${ctx.url.pathname} failed:`, again);
    return new Response(
      status >= 500 ? "Internal server error" : (MESSAGES[status] ?? "Error"),
      {
        status,
        headers: {
          "content-type": "text/plain; charset=utf-8",
          "cache-control": "no-store",
        },
      },
    );
  }
}
