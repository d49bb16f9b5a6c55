import { Head } from "fresh/runtime";
import type { OAuthProblem } from "../lib/web/oauth_failure.ts";

/**
 * The page a provider flow ends on when it could not sign anyone in (or
 * connect anything): the status, what happened in plain words, then the
 * two ways on: "Try again" (a new flow to the same place) and the other
 * way (the password sign-in, or back to the connections page).
 *
 * @example
 * ```tsx
 * import { oauthProblem } from "../lib/web/oauth_failure.ts";
 * const problem = oauthProblem("denied", {
 *   provider: { id: "github", name: "GitHub" },
 *   intent: "sign_in",
 *   next: "/dashboard",
 * });
 * const body = <OAuthProblemPage problem={problem} />;
 * ```
 */
export function OAuthProblemPage({ problem }: { problem: OAuthProblem }) {
  return (
    <section
      class="mx-auto max-w-xl px-4 py-16 sm:py-24"
      data-testid="oauth-problem"
      data-reason={problem.reason}
    >
      <Head>
        <title>{problem.title} · Islet</title>
      </Head>
      <p class="text-sm font-semibold text-indigo-700 dark:text-indigo-300">
        {problem.status}
      </p>
      <h1 class="mt-2 text-2xl font-bold sm:text-3xl">{problem.title}</h1>
      <p class="mt-4 text-slate-700 dark:text-slate-300">{problem.message}</p>
      <div class="mt-8 flex flex-col gap-3 sm:flex-row sm:items-center">
        {problem.retry !== null && (
          <a
            href={problem.retry}
            class="rounded-md bg-indigo-700 px-4 py-2 text-center font-medium text-white hover:bg-indigo-800"
          >
            Try again
          </a>
        )}
        <a
          href={problem.other.href}
          class="rounded-md px-4 py-2 text-center font-medium text-indigo-700 underline dark:text-indigo-300"
        >
          {problem.other.label}
        </a>
      </div>
    </section>
  );
}
