import ThemeToggle from "../islands/ThemeToggle.tsx";
import type { Theme } from "../utils.ts";

/** Site header: product name, main navigation, sign-in link, theme switch. */
export function Header(
  { theme, signedIn }: { theme: Theme; signedIn: boolean },
) {
  return (
    <header class="border-b border-slate-200 dark:border-slate-800">
      <nav
        aria-label="Main"
        class="mx-auto flex max-w-5xl flex-wrap items-center gap-x-6 gap-y-2 px-4 py-3"
      >
        <a
          href="/"
          class="text-lg font-bold tracking-tight text-indigo-700 dark:text-indigo-300"
        >
          Islet
        </a>
        <ul class="flex flex-1 flex-wrap items-center gap-x-5 text-sm">
          <li>
            <a class="inline-block py-1 hover:underline" href="/#features">
              Features
            </a>
          </li>
          <li>
            <a class="inline-block py-1 hover:underline" href="/#security">
              Security
            </a>
          </li>
        </ul>
        <ThemeToggle initial={theme} />
        {signedIn
          ? (
            <>
              <a href="/dashboard" class="text-sm font-medium hover:underline">
                Dashboard
              </a>
              <form method="post" action="/api/auth/logout">
                <button
                  type="submit"
                  class="rounded-md border border-slate-300 px-3 py-1.5 text-sm font-medium hover:bg-slate-100 dark:border-slate-700 dark:hover:bg-slate-900"
                >
                  Sign out
                </button>
              </form>
            </>
          )
          : (
            <a
              href="/login"
              class="rounded-md bg-indigo-700 px-3 py-1.5 text-sm font-medium text-white hover:bg-indigo-800"
            >
              Sign in
            </a>
          )}
      </nav>
    </header>
  );
}
