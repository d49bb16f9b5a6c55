/**
 * The page a person sees when the origin check refuses their form: the
 * app's layout, status 403, what happened in plain words and a link back
 * to the form. Upstream `csrf()` answers a form post with plain text; API
 * and JSON callers keep their JSON answer.
 *
 * @module
 */
import { Head } from "fresh/runtime";
import type { Middleware } from "fresh";
import { themeFromCookie } from "../theme.ts";
import { safeNext } from "./safe_next.ts";
import type { State } from "./state.ts";

/**
 * Turns a plain-text 403 for a page path (the origin check's answer to a
 * form post) into the refusal page in the app's layout. Put it just before
 * `csrf()`. Answers under `apiPrefix`, and JSON answers anywhere, pass
 * unchanged.
 *
 * @example
 * ```ts
 * import { App, csrf } from "fresh";
 * import type { State } from "./state.ts";
 * const app = new App<State>()
 *   .use(friendlyOriginRefusal())
 *   .use(csrf({ origin: ["http://localhost:8000"] }));
 * ```
 */
export function friendlyOriginRefusal(apiPrefix = "/api/"): Middleware<State> {
  return async (ctx) => {
    const res = await ctx.next();
    if (
      res.status !== 403 || ctx.url.pathname.startsWith(apiPrefix) ||
      !(res.headers.get("content-type") ?? "").startsWith("text/plain")
    ) return res;
    await res.body?.cancel();
    // The refusal comes before the middleware that reads the theme.
    ctx.state.theme ??= themeFromCookie(ctx.req.headers.get("cookie"));
    const page = await ctx.render(
      <OriginRefused back={safeNext(ctx.url.pathname, "/")} />,
      {
        status: 403,
      },
    );
    page.headers.set("cache-control", "no-store");
    return page;
  };
}

/** The refusal page's body; `back` is the path the form was posted to. */
function OriginRefused({ back }: { back: string }) {
  return (
    <section class="mx-auto max-w-3xl px-4 py-24 text-center">
      <Head>
        <title>Form not accepted · Islet</title>
      </Head>
      <p class="text-sm font-semibold text-indigo-700 dark:text-indigo-300">
        403
      </p>
      <h1 class="mt-2 text-3xl font-bold">This form was not accepted</h1>
      <p class="mt-4 text-slate-700 dark:text-slate-300">
        For your safety, Islet only accepts forms sent from its own pages, and
        this one seemed to come from somewhere else. This also happens when the
        page was opened at a different address than the one the site runs at.
        Nothing was changed.
      </p>
      <p class="mt-8">
        <a
          class="font-medium text-indigo-700 underline dark:text-indigo-300"
          href={back}
        >
          Go back to the form and try again
        </a>
      </p>
    </section>
  );
}
