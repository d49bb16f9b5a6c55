import { oauthStartPath } from "../lib/web/oauth_failure.ts";

/** A configured sign-in provider, as the buttons need it. */
export interface ProviderLink {
  /** `github`, `google` or an OpenID Connect slug. */
  id: string;
  /** "GitHub", "Google", or the configured name. */
  name: string;
}

/**
 * "Continue with <provider>" links above the password form of the sign-in
 * and sign-up pages, then an "or" divider. Plain links (a GET starts the
 * flow), so they work without JavaScript; each carries `next`, so a
 * sign-in through a provider lands where a password one would. Renders
 * nothing when no provider is configured: the pages are then exactly as
 * without this component.
 *
 * @example
 * ```tsx
 * const buttons = (
 *   <ProviderButtons providers={[{ id: "github", name: "GitHub" }]} next="/dashboard" />
 * );
 * ```
 */
export function ProviderButtons(
  { providers, next }: { providers: readonly ProviderLink[]; next: string },
) {
  if (providers.length === 0) return null;
  return (
    <div class="mb-6" data-testid="oauth-providers">
      <ul class="space-y-3">
        {providers.map((p) => (
          <li key={p.id}>
            <a
              href={oauthStartPath(p.id, "sign_in", next)}
              class="flex w-full items-center justify-center rounded-md border border-slate-500 bg-white px-4 py-2 text-center font-medium text-slate-900 hover:bg-slate-100 dark:border-slate-500 dark:bg-slate-900 dark:text-slate-100 dark:hover:bg-slate-800"
            >
              Continue with {p.name}
            </a>
          </li>
        ))}
      </ul>
      <div class="mt-6 flex items-center gap-3 text-sm text-slate-700 dark:text-slate-300">
        <span
          class="h-px flex-1 bg-slate-300 dark:bg-slate-700"
          aria-hidden="true"
        />
        <span>or</span>
        <span
          class="h-px flex-1 bg-slate-300 dark:bg-slate-700"
          aria-hidden="true"
        />
      </div>
    </div>
  );
}
